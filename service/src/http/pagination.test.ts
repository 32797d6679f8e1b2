import { parsePage } from './pagination';
import { ApiError } from './errors';

const limits = { defaultLimit: 50, maxLimit: 200 };

describe('parsePage', () => {
  it('defaults like JupyterHub: offset 0, the default limit for none or 0, capped at the maximum', () => {
    expect(parsePage({}, limits)).toEqual({ offset: 0, limit: 50 });
    expect(parsePage({ limit: '0' }, limits)).toEqual({ offset: 0, limit: 50 });
    expect(parsePage({ offset: '10', limit: '1000' }, limits)).toEqual({ offset: 10, limit: 200 });
  });

  it.each([{ offset: '-1' }, { limit: 'ten' }, { offset: '1e3' }, { offset: ['1', '2'] }])('refuses %j with a 400', (query) => {
    expect(() => parsePage(query, limits)).toThrow(ApiError);
  });
});
