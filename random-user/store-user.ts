// The random_users table: one row per user fetched, the upstream's whole record kept as it came.
import type { Pool } from '../common/db/pool.js';
import type { RandomUserRecord } from './fetch-user.js';

export interface StoredUser {
  id: number;
  fetched_at: string;
  gender: string;
  title: string;
  first_name: string;
  last_name: string;
  email: string;
  username: string;
  country: string;
  phone: string;
}

export async function storeUser(db: Pool, user: RandomUserRecord): Promise<StoredUser> {
  const result = await db.query<StoredUser & { fetched_at: Date }>(
    `INSERT INTO random_users (gender, title, first_name, last_name, email, username, country, phone, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     RETURNING id, fetched_at, gender, title, first_name, last_name, email, username, country, phone`,
    [user.gender, user.name.title, user.name.first, user.name.last, user.email, user.login.username, user.location.country, user.phone, JSON.stringify(user)],
  );
  const row = result.rows[0]!;
  return { ...row, id: Number(row.id), fetched_at: new Date(row.fetched_at).toISOString() };
}
