import type { Contents, ServerConnection } from '@jupyterlab/services';
import { copyFeedbackToHome, type ContentsAccess, freeName } from './copy-to-home';
import { FeedbackDrive } from './feedback-drive';
import { fakeService, json } from './testing/fake-service';

const FEEDBACK = '/services/coursework/api/v1/me/feedback';
const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };

/** The user's files, as a map of path → saved model. */
function home(existing: string[] = []) {
  const saved = new Map<string, Partial<Contents.IModel>>(existing.map((path) => [path, {}]));
  const contents: ContentsAccess = {
    get: async (path) => {
      if (!saved.has(path)) throw new Error('404');
      return saved.get(path) as Contents.IModel;
    },
    save: async (path, options) => {
      saved.set(path, options ?? {});
      return options as Contents.IModel;
    },
  };
  return { contents, saved };
}

function drive() {
  const service = fakeService({
    [`GET ${FEEDBACK}/ps1/files/graded/ps1.ipynb`]: () => new Response(JSON.stringify(notebook)),
    [`GET ${FEEDBACK}/ps1/files/report.html`]: () => new Response('<p>ok</p>'),
    [`GET ${FEEDBACK}/ps1/files/plot.png`]: () => new Response(new Uint8Array([0x89, 0x50, 0xff])),
    [`GET ${FEEDBACK}/ps1/files/gone.txt`]: () => json({ status: 404, message: 'Not found' }, 404),
  });
  return new FeedbackDrive({ connection: service.connection, serverSettings: {} as ServerConnection.ISettings });
}

describe('freeName', () => {
  it('keeps the name when it is free, else adds -feedback, -feedback-2 before the extension', async () => {
    const taken = new Set(['work/report.html', 'work/report-feedback.html']);
    const exists = async (path: string) => taken.has(path);
    expect(await freeName('work', 'notes.md', exists)).toBe('work/notes.md');
    expect(await freeName('work', 'report.html', exists)).toBe('work/report-feedback-2.html');
    expect(await freeName('', 'README', async (p) => p === 'README')).toBe('README-feedback');
  });
});

describe('copyFeedbackToHome', () => {
  it('saves a notebook as a notebook, text as text, binary as base64, into the folder given', async () => {
    const { contents, saved } = home();
    const d = drive();
    expect(await copyFeedbackToHome(d, contents, 'ps1/graded/ps1.ipynb', '')).toBe('ps1.ipynb');
    expect(await copyFeedbackToHome(d, contents, 'ps1/report.html', 'course')).toBe('course/report.html');
    expect(await copyFeedbackToHome(d, contents, 'ps1/plot.png', '')).toBe('plot.png');
    expect(saved.get('ps1.ipynb')).toEqual({ type: 'notebook', format: 'json', content: notebook });
    expect(saved.get('course/report.html')).toEqual({ type: 'file', format: 'text', content: '<p>ok</p>' });
    expect(saved.get('plot.png')).toEqual({ type: 'file', format: 'base64', content: 'iVD/' });
  });

  it('never overwrites a file of the user', async () => {
    const { contents, saved } = home(['report.html']);
    expect(await copyFeedbackToHome(drive(), contents, 'ps1/report.html', '')).toBe('report-feedback.html');
    expect(saved.get('report.html')).toEqual({});
  });

  it('fails, saving nothing, when the service does not give the file', async () => {
    const { contents, saved } = home();
    await expect(copyFeedbackToHome(drive(), contents, 'ps1/gone.txt', '')).rejects.toMatchObject({ status: 404 });
    await expect(copyFeedbackToHome(drive(), contents, 'ps1', '')).rejects.toThrow(/Only files/);
    expect(saved.size).toBe(0);
  });
});
