// The users API: register (which enqueues the registration mail), read, update and
// delete. A user reaches only itself: another id is a 404, as if it did not exist. An admin reaches
// every user and lists them (GET /users, by a cursor). A password change and POST /users/me/logout-all
// revoke every token issued before them (the user's next token generation, authenticate.ts).
import { Router, type Response } from 'express';
import { jsonBody } from '../http/storable-input.js';
import type { Pool } from '../../common/db/pool.js';
import { fieldErrors } from '../http/field-errors.js';
import { isTimerId } from '../../common/messages/timer-id.js';
import { newTimerId } from '../../common/messages/timer-id.js';
import { hashPassword } from '../auth/passwords.js';
import { deleteUserRow, findUser, insertUser, listUsers, revokeTokens, updateUser, type UserRow } from '../../common/store/users.js';
import { listUsersQuery, registerRequest, updateUserRequest } from './user-request.js';
import { REGISTRATION_MAIL_TYPE } from '../../common/tasks/send-registration-email.js';
import { requireJson } from '../http/http-errors.js';
import { requireViewer, viewerOf, type AuthDeps, type Viewer } from '../auth/authenticate.js';
import { submitTask, type TaskDeps } from '../tasks/submit-task.js';
import { sendFieldErrors } from '../http/http-errors.js';
import type { PasswordSlots } from '../auth/password-slots.js';

export interface UserRouteDeps {
  mainDb: Pool;
  auth: AuthDeps;
  tasks: TaskDeps;
  bodyLimitBytes: number;
  /** REGISTRATION_MAIL_MAX_ATTEMPTS */
  registrationMailMaxAttempts: number;
  /** where every scrypt hash of the webserver runs */
  passwordSlots: PasswordSlots;
}

export function userView(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    created_at: user.created_at.toISOString(),
    registration_mail_sent_at: user.registration_mail_sent_at?.toISOString() ?? null,
  };
}

const notFound = (res: Response, id: string) => void res.status(404).json({ error: 'not_found', message: `no user with id ${id}` });

/** The id of /users/{id} when the viewer may reach it, else null (the answer is sent). */
function reachable(res: Response, id: string): string | null {
  const viewer = viewerOf(res) as Viewer;
  if (!isTimerId(id)) {
    res.status(400).json({ error: 'invalid_id', message: 'the user id must be a UUID', details: [{ field: 'id', message: 'must be a UUID' }] });
    return null;
  }
  const lower = id.toLowerCase();
  if (viewer.role !== 'admin' && viewer.id !== lower) {
    notFound(res, id);
    return null;
  }
  return lower;
}

export function userRoutes(deps: UserRouteDeps): Router {
  const router = Router();
  const parseJson = jsonBody({ limit: deps.bodyLimitBytes, strict: false });

  router.post('/users', requireJson, parseJson, async (req, res) => {
    const body = registerRequest.safeParse(req.body);
    if (!body.success) return sendFieldErrors(res, 'the registration is not valid', fieldErrors(body.error));
    const { email, password, name } = body.data;
    const user = await insertUser(deps.mainDb, {
      id: newTimerId(),
      email,
      name: name ?? null,
      passwordHash: await deps.passwordSlots.run(() => hashPassword(password)),
      role: deps.auth.adminEmails.includes(email) ? 'admin' : 'user',
    });
    if (user === 'taken') return void res.status(409).json({ error: 'email_taken', message: 'a user with this email exists' });
    try {
      // The mail task belongs to the new user, who sees it in GET /tasks.
      await submitTask(deps.tasks, {
        type: REGISTRATION_MAIL_TYPE,
        args: { user_id: user.id },
        maxAttempts: deps.registrationMailMaxAttempts,
        ownerId: user.id,
      });
    } catch (err) {
      // No broker: the registration did not happen (503), so that the client's retry can succeed.
      await deleteUserRow(deps.mainDb, user.id).catch(() => undefined);
      throw err;
    }
    res.status(201).location(`/users/${user.id}`).json(userView(user));
  });

  router.get('/users/me', requireViewer, async (_req, res) => {
    const user = await findUser(deps.mainDb, viewerOf(res)!.id);
    if (!user) return notFound(res, viewerOf(res)!.id);
    res.json(userView(user));
  });

  // Logs the user out everywhere: every token issued so far, this one included, is refused from now on,
  // on every replica (each request reads the user's token generation).
  router.post('/users/me/logout-all', requireViewer, async (_req, res) => {
    const viewer = viewerOf(res)!;
    if (!(await revokeTokens(deps.mainDb, viewer.id))) return notFound(res, viewer.id);
    res.status(204).end();
  });

  router.get('/users', requireViewer, async (req, res) => {
    if (viewerOf(res)!.role !== 'admin') return void res.status(403).json({ error: 'forbidden', message: 'only an admin lists users' });
    const query = listUsersQuery.safeParse(req.query);
    if (!query.success) return sendFieldErrors(res, 'the query string is not valid', fieldErrors(query.error));
    const rows = await listUsers(deps.mainDb, query.data);
    const next = rows.length === query.data.limit ? rows[rows.length - 1]!.id : null;
    res.json({ users: rows.map(userView), next_cursor: next });
  });

  router.get('/users/:id', requireViewer, async (req, res) => {
    const id = reachable(res, req.params.id as string);
    if (!id) return;
    const user = await findUser(deps.mainDb, id);
    if (!user) return notFound(res, id);
    res.json(userView(user));
  });

  router.patch('/users/:id', requireViewer, requireJson, parseJson, async (req, res) => {
    const id = reachable(res, req.params.id as string);
    if (!id) return;
    const body = updateUserRequest.safeParse(req.body);
    if (!body.success) return sendFieldErrors(res, 'the change is not valid', fieldErrors(body.error));
    const { password } = body.data;
    const passwordHash = password === undefined ? undefined : await deps.passwordSlots.run(() => hashPassword(password));
    const user = await updateUser(deps.mainDb, id, { name: body.data.name, passwordHash });
    if (!user) return notFound(res, id);
    res.json(userView(user));
  });

  router.delete('/users/:id', requireViewer, async (req, res) => {
    const id = reachable(res, req.params.id as string);
    if (!id) return;
    if (!(await deleteUserRow(deps.mainDb, id))) return notFound(res, id);
    res.status(204).end();
  });

  return router;
}
