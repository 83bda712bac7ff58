// The SQL of the users table. Every statement is parameterised; the password hash is read
// only by findCredentials (POST /token) and never leaves this module otherwise.
import type { Pool } from '../db/pool.js';

export type Role = 'user' | 'admin';

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at: Date;
  updated_at: Date;
  registration_mail_sent_at: Date | null;
  /** the generation of the user's tokens that is valid; earlier ones are revoked (common/auth/tokens.ts) */
  token_generation: number;
}

const COLUMNS = 'id, email, name, role, created_at, updated_at, registration_mail_sent_at, token_generation';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

export interface NewUser {
  id: string;
  email: string;
  name: string | null;
  passwordHash: string;
  role: Role;
}

/** insertUser(db, user): the stored row, or 'taken' when the email belongs to another user (also under a race). */
export async function insertUser(db: Pool, user: NewUser): Promise<UserRow | 'taken'> {
  try {
    const result = await db.query<UserRow>(`INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`, [
      user.id,
      user.email,
      user.name,
      user.passwordHash,
      user.role,
    ]);
    return result.rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return 'taken';
    throw err;
  }
}

export async function deleteUserRow(db: Pool, id: string): Promise<boolean> {
  const result = await db.query('DELETE FROM users WHERE id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}

export async function findUser(db: Pool, id: string): Promise<UserRow | null> {
  const result = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

/** findUsers(db, ids): the row of each id, in order, null where there is none (one query for many). */
export async function findUsers(db: Pool, ids: string[]): Promise<Array<UserRow | null>> {
  const result = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
  const byId = new Map(result.rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
}

export interface Credentials {
  id: string;
  password_hash: string;
  token_generation: number;
}

/** The id, password hash and token generation of an email, for POST /token. */
export async function findCredentials(db: Pool, email: string): Promise<Credentials | null> {
  const result = await db.query<Credentials>('SELECT id, password_hash, token_generation FROM users WHERE email = $1', [email]);
  return result.rows[0] ?? null;
}

/** updateUser(db, id, changes): the changed row, or null. A new password also revokes every token issued before it. */
export async function updateUser(db: Pool, id: string, changes: { name?: string | null; passwordHash?: string }): Promise<UserRow | null> {
  const result = await db.query<UserRow>(
    `UPDATE users
        SET name = CASE WHEN $2::boolean THEN $3 ELSE name END,
            password_hash = COALESCE($4, password_hash),
            token_generation = token_generation + CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END,
            updated_at = now()
      WHERE id = $1
  RETURNING ${COLUMNS}`,
    [id, changes.name !== undefined, changes.name ?? null, changes.passwordHash ?? null],
  );
  return result.rows[0] ?? null;
}

/** revokeTokens(db, id): starts the user's next token generation (every earlier token is refused); false when there is no such user. */
export async function revokeTokens(db: Pool, id: string): Promise<boolean> {
  const result = await db.query('UPDATE users SET token_generation = token_generation + 1, updated_at = now() WHERE id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}

/** Users in id order (UUIDv7: registration order), after the cursor (the last id of the previous page). */
export async function listUsers(db: Pool, page: { cursor?: string; limit: number }): Promise<UserRow[]> {
  const result = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE ($1::uuid IS NULL OR id > $1) ORDER BY id LIMIT $2`, [page.cursor ?? null, page.limit]);
  return result.rows;
}

/**
 * Records that the registration mail went out; false when it was recorded before (a redelivered or
 * concurrent task): the conditional update is what makes a second run send nothing.
 */
export async function markRegistrationMailSent(db: Pool, id: string): Promise<boolean> {
  const result = await db.query('UPDATE users SET registration_mail_sent_at = now() WHERE id = $1 AND registration_mail_sent_at IS NULL', [id]);
  return (result.rowCount ?? 0) > 0;
}
