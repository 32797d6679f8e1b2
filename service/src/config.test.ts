import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, parseSize, SETTINGS, unknownSettings } from './config';

const HUB_ENV = {
  JUPYTERHUB_API_URL: 'http://127.0.0.1:8081/hub/api',
  JUPYTERHUB_API_TOKEN: 'secret-service-token',
  JUPYTERHUB_SERVICE_PREFIX: '/services/coursework/',
  JUPYTERHUB_SERVICE_URL: 'http://127.0.0.1:10101',
  JUPYTERHUB_OAUTH_CALLBACK_URL: '/services/coursework/oauth_callback',
  JUPYTERHUB_OAUTH_ACCESS_SCOPES: '["access:services", "access:services!service=coursework"]',
};

function expectConfigError(env: NodeJS.ProcessEnv, pattern: RegExp): void {
  let thrown: unknown;
  try {
    loadConfig(env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect((thrown as Error).message).toMatch(pattern);
}

describe('loadConfig', () => {
  it('builds a typed config from the managed-service environment and defaults', () => {
    const config = loadConfig(HUB_ENV);
    expect(config.hub.listen).toEqual({ host: '127.0.0.1', port: 10101 });
    expect(config.hub.apiUrl).toBe('http://127.0.0.1:8081/hub/api');
    expect(config.hub.accessScopes).toEqual(['access:services', 'access:services!service=coursework']);
    expect(config.homeTemplate).toBe('/home/{username}');
    expect(config.course).toEqual({
      id: 'default',
      title: 'Course',
      instructorsGroup: 'instructors',
      gradersGroup: 'graders',
      studentsGroup: 'students',
    });
    expect(config.groupPatterns).toEqual({
      instructors: '{course}-instructors',
      graders: '{course}-graders',
      students: '{course}-students',
    });
    expect(config.auth.cacheTtlSeconds).toBe(60);
    expect(config.limits.maxFileBytes).toBe(100 * 1024 * 1024);
    expect(path.isAbsolute(config.dataDir)).toBe(true);
  });

  it('names the missing Hub variable and says who sets it', () => {
    const { JUPYTERHUB_API_URL: _omitted, ...env } = HUB_ENV;
    expectConfigError(env, /^JUPYTERHUB_API_URL is required \(JupyterHub sets it/);
  });

  it.each([
    ['COURSEWORK_AUTH_CACHE_TTL', 'soon', /COURSEWORK_AUTH_CACHE_TTL="soon" is invalid/],
    ['COURSEWORK_AUTH_CACHE_TTL', '-5', /COURSEWORK_AUTH_CACHE_TTL="-5" is invalid/],
    ['COURSEWORK_HOME_TEMPLATE', 'home/{username}', /COURSEWORK_HOME_TEMPLATE.*absolute path/],
    ['COURSEWORK_HOME_TEMPLATE', '/home/all', /COURSEWORK_HOME_TEMPLATE.*\{username\}/],
    ['COURSEWORK_MAX_FILE_SIZE', 'big', /COURSEWORK_MAX_FILE_SIZE="big" is invalid: expected a positive size/],
    ['COURSEWORK_COURSE_ID', 'Bad Id', /COURSEWORK_COURSE_ID="Bad Id" is invalid/],
    ['COURSEWORK_ALLOW_STUDENT_SNAPSHOTS', 'maybe', /COURSEWORK_ALLOW_STUDENT_SNAPSHOTS="maybe" is invalid: expected true or false/],
    ['COURSEWORK_LOG_LEVEL', 'loud', /COURSEWORK_LOG_LEVEL="loud" is invalid/],
    ['COURSEWORK_COURSES', '[{"id": "ML 200", "title": "ML"}]', /COURSEWORK_COURSES=.* is invalid: .*course id/],
    ['COURSEWORK_COURSES', '[{"id": "ml", "title": "ML", "timeZone": "Nowhere/Land"}]', /COURSEWORK_COURSES=.* is invalid: .*time zone/],
    ['COURSEWORK_COURSES', '{"id": "ml"}', /COURSEWORK_COURSES=.* is invalid: expected a JSON list/],
    ['COURSEWORK_INSTRUCTORS_GROUP_PATTERN', 'teachers', /COURSEWORK_INSTRUCTORS_GROUP_PATTERN="teachers" is invalid: .*\{course\}/],
    ['JUPYTERHUB_SERVICE_PREFIX', '/services/coursework', /JUPYTERHUB_SERVICE_PREFIX.*starts and ends with \//],
    ['JUPYTERHUB_OAUTH_ACCESS_SCOPES', 'access:services', /JUPYTERHUB_OAUTH_ACCESS_SCOPES is invalid/],
  ])('refuses %s=%s with a message naming it', (name, value, pattern) => {
    expectConfigError({ ...HUB_ENV, [name]: value }, pattern);
  });

  it('never echoes a secret in an error', () => {
    expectConfigError({ ...HUB_ENV, COURSEWORK_COOKIE_SECRET: 'too-short-secret' }, /COURSEWORK_COOKIE_SECRET=<hidden> is invalid/);
    expectConfigError({ ...HUB_ENV, JUPYTERHUB_API_TOKEN: 'abc' }, /^JUPYTERHUB_API_TOKEN=<hidden>/);
  });

  it('refuses a default page size above the maximum', () => {
    expectConfigError(
      { ...HUB_ENV, COURSEWORK_PAGE_DEFAULT_LIMIT: '500', COURSEWORK_PAGE_MAX_LIMIT: '100' },
      /COURSEWORK_PAGE_DEFAULT_LIMIT=500 is invalid: larger than COURSEWORK_PAGE_MAX_LIMIT=100/,
    );
  });

  it('reads a JSON config file, with the environment taking precedence', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-config-'));
    const file = path.join(dir, 'coursework.json');
    writeFileSync(
      file,
      JSON.stringify({ COURSEWORK_COURSE_TITLE: 'From file', COURSEWORK_AUTH_CACHE_TTL: 30, COURSEWORK_STUDENTS_GROUP: 'file-group' }),
    );
    const config = loadConfig({ ...HUB_ENV, COURSEWORK_CONFIG_FILE: file, COURSEWORK_STUDENTS_GROUP: 'env-group' });
    expect(config.course.title).toBe('From file');
    expect(config.auth.cacheTtlSeconds).toBe(30);
    expect(config.course.studentsGroup).toBe('env-group');
  });

  it('refuses a config file with an unknown key or bad JSON', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-config-'));
    const typo = path.join(dir, 'typo.json');
    writeFileSync(typo, JSON.stringify({ COURSEWORK_STUDENT_GROUP: 'x' }));
    expectConfigError({ ...HUB_ENV, COURSEWORK_CONFIG_FILE: typo }, /unknown setting COURSEWORK_STUDENT_GROUP/);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{');
    expectConfigError({ ...HUB_ENV, COURSEWORK_CONFIG_FILE: broken }, /^COURSEWORK_CONFIG_FILE: cannot read .* as JSON/);
  });

  it('points out COURSEWORK_ variables that name no setting', () => {
    expect(unknownSettings({ COURSEWORK_STUDENT_GROUP: 'x', COURSEWORK_DATA_DIR: '/d', COURSEWORK_DEMO_PASSWORD: 'p' })).toEqual([
      'COURSEWORK_STUDENT_GROUP',
    ]);
  });

  it('has every setting in the README', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const setting of Object.values(SETTINGS)) expect(readme).toContain(`\`${setting.name}\``);
  });
});

describe('parseSize', () => {
  it.each([
    ['1048576', 1048576],
    ['512K', 512 * 1024],
    ['100M', 100 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    ['1.5MiB', 1.5 * 1024 ** 2],
    ['10 mb', 10 * 1024 ** 2],
  ])('%s = %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'M', '-1M', '1X', 'lots'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});
