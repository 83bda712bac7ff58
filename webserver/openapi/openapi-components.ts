// zod schemas as JSON schemas inside one OpenAPI document. z.toJSONSchema gives each schema its own
// `$defs` (a recursive one such as a webhook's JSON body always has one), whose `#/$defs/...` refs
// resolve only inside that schema: embedded in the document they would point at nothing from its
// root. Each such definition is moved into components/schemas, once, under a name of its own, and the
// refs are rewritten to point there, so client generators, fuzzers and validators resolve every ref.
import { z } from 'zod';
import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;
const COMPONENT = '#/components/schemas/';

/** Rewrites every `$ref` under `node` with `rename` (the refs of one zod output to their component). */
function rewriteRefs(node: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(node)) return node.map((item) => rewriteRefs(item, rename));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === '$ref' && typeof value === 'string' ? rename(value) : rewriteRefs(value, rename)]));
}

/** A definition with its refs to itself made independent of the key zod gave it. */
const selfContained = (key: string, definition: unknown) => rewriteRefs(definition, (ref) => (ref === `#/$defs/${key}` ? '#self' : ref));

// The definition zod makes for z.json() (recursive, so always in $defs): any JSON value, e.g. a webhook's body.
const jsonValueDefinition = (() => {
  const { $defs } = z.toJSONSchema(z.object({ value: z.json() })) as { $defs?: Record<string, unknown> };
  const [key, definition] = Object.entries($defs ?? {})[0] ?? [];
  return key === undefined ? undefined : selfContained(key, definition);
})();

export class SchemaComponents {
  /** components/schemas of the document */
  readonly schemas: Record<string, Json> = {};
  private readonly reserved = new Set<string>();

  /** The JSON schema of a zod schema (its input: a request; its output: an answer), refs into components/schemas. */
  schema(type: z.ZodType, io: 'input' | 'output' = 'output'): Json {
    const { $schema: _dialect, $defs, ...rest } = z.toJSONSchema(type, { io }) as Json & { $defs?: Record<string, Json> };
    if (!$defs) return rest;
    const names = new Map(Object.keys($defs).map((key) => [key, this.nameFor(key, $defs[key]!)]));
    const rename = (ref: string) => {
      const name = ref.startsWith('#/$defs/') ? names.get(ref.slice('#/$defs/'.length)) : undefined;
      if (!name) throw new Error(`the OpenAPI description cannot place the JSON schema ref ${ref}`);
      return COMPONENT + name;
    };
    for (const [key, definition] of Object.entries($defs)) this.place(names.get(key)!, rewriteRefs(definition, rename) as Json);
    return rewriteRefs(rest, rename) as Json;
  }

  /** A named component made from a zod schema, and the ref to it. */
  ref(name: string, type: z.ZodType, io: 'input' | 'output' = 'output'): { $ref: string } {
    if (!this.schemas[name]) this.place(name, this.schema(type, io));
    return { $ref: COMPONENT + name };
  }

  private nameFor(key: string, definition: Json): string {
    if (isDeepStrictEqual(selfContained(key, definition), jsonValueDefinition)) return 'JsonValue';
    if (!key.startsWith('__schema')) return key;
    // Another definition zod shared within one schema: a name no other component has.
    let n = 1;
    while (this.reserved.has(`Shared${n}`)) n += 1;
    this.reserved.add(`Shared${n}`);
    return `Shared${n}`;
  }

  private place(name: string, definition: Json): void {
    const placed = this.schemas[name];
    if (placed && !isDeepStrictEqual(placed, definition)) throw new Error(`two different schemas are named ${name} in the OpenAPI description`);
    this.schemas[name] = definition;
  }
}
