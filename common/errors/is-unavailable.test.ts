import pg from 'pg';
import { isUnavailable } from './is-unavailable.js';
import { DependencyUnavailableError } from './dependency-unavailable.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const serverError = (code: string) => Object.assign(new pg.DatabaseError('server says no', 0, 'error'), { code });

describe('isUnavailable', () => {
  test.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['every address refused (happy eyeballs)', new AggregateError([withCode('x', 'ECONNREFUSED'), withCode('y', 'ECONNREFUSED')])],
    ['a connection pg saw end', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['an administrator shutdown', serverError('57P01')],
    ['too many connections', serverError('53300')],
    ['the broker', new DependencyUnavailableError('broker', 'message broker unavailable')],
  ])('%s: unavailable', (_name, err) => {
    expect(isUnavailable(err)).toBe(true);
  });

  test.each([
    ['a syntax error', serverError('42601')],
    ['a unique violation', serverError('23505')],
    ['a bug in our code', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a corrupt gzip body', withCode('incorrect header check', 'Z_DATA_ERROR')],
    ['not an error at all', 'boom'],
    ['null', null],
  ])('%s: not unavailable', (_name, err) => {
    expect(isUnavailable(err)).toBe(false);
  });
});
