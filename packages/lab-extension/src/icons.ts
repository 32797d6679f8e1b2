/** Coursework's icon (a stack of sheets, for snapshots and feedback), coloured by the theme. */
import { LabIcon } from '@jupyterlab/ui-components';

const svgstr = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
  <g class="jp-icon3" fill="#616161">
    <path d="M6 2h9l5 5v11a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm8 1.5V8h4.5L14 3.5zM7 11v2h10v-2H7zm0 4v2h7v-2H7z"/>
    <path d="M2 6h1v14a2 2 0 0 0 2 2h12v1H5a3 3 0 0 1-3-3V6z"/>
  </g>
</svg>`;

export const courseworkIcon = new LabIcon({ name: 'coursework:icon', svgstr });
