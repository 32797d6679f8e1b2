import '@coursework/lab/style/index.css';
