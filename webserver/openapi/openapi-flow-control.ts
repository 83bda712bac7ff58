// The OpenAPI description of the flow-control routes (PUT, GET /flow-control/{key}, GET /flow-control,
// pause and resume of a key) and of the deliveries switch (GET /deliveries, pause, resume; admins only),
// merged into webserver/openapi/openapi.ts. The answer schemas are the ones the tests check the
// handlers' answers against.
import { z } from 'zod';
import { FLOW_KEY_PATTERN, MAX_FLOW_KEY_LENGTH } from '../../common/messages/flow-control.js';
import { flowLimitsRequest, keyOwnerQuery, listFlowKeysQuery, pauseRequest } from '../flow-control/flow-control-request.js';
import { MAX_PAUSED_HOSTS } from '../flow-control/deliveries-routes.js';
import type { Describe } from './openapi-answers.js';
import { TOKEN } from './openapi-security.js';

const isoTime = z.string().describe('ISO 8601 instant, UTC');

const pauseFields = {
  paused: z.boolean().describe('paused now'),
  paused_until: isoTime.nullable().describe('when the pause ends; null: not paused, or paused until resumed'),
  pause_reason: z.string().nullable().describe("why: paused through the API, or a receiver's 429/503 Retry-After; null when not paused"),
};

export const flowKeyAnswer = z.object({
  key: z.string(),
  owner_id: z.uuid().nullable().describe("the key's owner (the token's user); null: the ownerless keys"),
  rate: z.number().int().min(1).nullable().describe('deliveries started per period_s at most; null: no rate limit'),
  period_s: z.number().int().min(1),
  parallelism: z.number().int().min(1).nullable().describe('deliveries in flight at once at most; null: no limit'),
  ...pauseFields,
  in_flight: z.number().int().min(0).describe('deliveries of its timers in flight now'),
  waiting: z.number().int().min(0).describe("timers waiting on the key (state 'held')"),
  created_at: isoTime,
  updated_at: isoTime,
});

export const flowKeyListAnswer = z.object({
  keys: z.array(flowKeyAnswer).describe('by owner, then key'),
  next_cursor: z.string().nullable().describe('pass as ?cursor= for the next page; null on the last page'),
});

export const deliveriesAnswer = z.object({
  ...pauseFields,
  waiting: z.number().int().min(0).describe("timers waiting on the deliveries pause (state 'held')"),
  paused_hosts: z
    .array(
      z.object({
        host: z.string(),
        paused_until: isoTime.nullable(),
        pause_reason: z.string().nullable(),
        waiting: z.number().int().min(0).describe('timers waiting on the host'),
      }),
    )
    .max(MAX_PAUSED_HOSTS)
    .describe(`callback hosts paused now by a receiver's 429/503 Retry-After, the latest to end first (at most ${MAX_PAUSED_HOSTS})`),
});

const LIMITS =
  'At most rate deliveries of the key start in any window of period_s seconds, spaced evenly, and at most parallelism are in flight at once, across every trigger. ' +
  'A limit left out is none; period_s is 1 unless given.';

export function flowControlPaths(describe: Describe) {
  const { schema, query, json, error } = describe;
  const keyParameter = {
    name: 'key',
    in: 'path',
    required: true,
    description: "a key of the caller's owner",
    schema: { type: 'string', minLength: 1, maxLength: MAX_FLOW_KEY_LENGTH, pattern: FLOW_KEY_PATTERN.source },
  };
  const keyParameters = [keyParameter, ...query(keyOwnerQuery)];
  const notAdmin = error("forbidden: owner_id names another owner and the token is not an admin's");
  const flowKey = (description: string) => json(flowKeyAnswer, description, 'FlowKey');
  const deliveries = (description: string) => json(deliveriesAnswer, description, 'Deliveries');
  const badKey = error('validation_failed: the key is not 1-128 letters, digits and . _ - : @, or owner_id is neither a UUID nor none (details names each)');
  const badPause = error('validation_failed: the key or owner_id is wrong, until is not an ISO 8601 instant in the future, or the body has another field (details names each)');
  const missing = error("not_found: the caller has no such key (keys are per owner: another owner's key of the same name is not this one)");
  const notJson = error('unsupported_media_type: the body is not sent as application/json');
  const pauseBody = { required: false, content: { 'application/json': { schema: schema(pauseRequest, 'input') } } };
  const forbidden = error("forbidden: the token is not an admin's (ADMIN_EMAILS)");
  return {
    '/flow-control': {
      get: {
        summary: "List the caller's flow-control keys (an admin's: every owner's), with cursor pagination",
        parameters: query(listFlowKeysQuery),
        responses: { 200: json(flowKeyListAnswer, 'one page'), 422: error('validation_failed: the limit or the cursor is wrong') },
      },
    },
    '/flow-control/{key}': {
      put: {
        summary: "Set a key's limits exactly (creating the key)",
        parameters: keyParameters,
        requestBody: { required: true, content: { 'application/json': { schema: { ...schema(flowLimitsRequest, 'input'), description: LIMITS } } } },
        responses: { 200: flowKey('the key as it is now'), 403: notAdmin, 415: notJson, 422: error('validation_failed: the key, owner_id or a limit is wrong (details names each)') },
      },
      get: {
        summary: 'Read a key: its limits, its pause, deliveries in flight and timers waiting',
        parameters: keyParameters,
        responses: { 200: flowKey('the key'), 403: notAdmin, 404: missing, 422: badKey },
      },
    },
    '/flow-control/{key}/pause': {
      post: {
        summary: "Pause a key's deliveries until an instant, or until resumed (a key no timer has named yet is created)",
        parameters: keyParameters,
        requestBody: pauseBody,
        responses: { 200: flowKey('the key, paused'), 403: notAdmin, 415: notJson, 422: badPause },
      },
    },
    '/flow-control/{key}/resume': {
      post: {
        summary: "Resume a key's deliveries; its waiting timers go out in due order",
        parameters: keyParameters,
        responses: { 200: flowKey('the key, not paused'), 403: notAdmin, 404: missing, 422: badKey },
      },
    },
    '/deliveries': {
      get: {
        summary: 'Whether all deliveries are paused, how many timers wait, and the hosts paused by their receivers (admins only)',
        security: TOKEN,
        responses: { 200: deliveries('the deliveries pause'), 403: forbidden },
      },
    },
    '/deliveries/pause': {
      post: {
        summary: 'Pause every delivery until an instant, or until resumed; due timers wait as held (admins only)',
        security: TOKEN,
        requestBody: pauseBody,
        responses: { 200: deliveries('deliveries, paused'), 403: forbidden, 415: notJson, 422: badPause },
      },
    },
    '/deliveries/resume': {
      post: {
        summary: 'Resume deliveries; the timers waiting go out in due order (admins only)',
        security: TOKEN,
        responses: { 200: deliveries('deliveries, not paused'), 403: forbidden },
      },
    },
  };
}
