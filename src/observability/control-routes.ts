/**
 * The control API's routes, each with the zod schemas of its query and body: the server matches
 * and validates requests with them, and the OpenAPI document served at /openapi.json is made from
 * the same table, so the two cannot disagree.
 */
import { z } from 'zod';

const eventCode = z
  .string()
  .regex(/^(\d+ [A-Z ]+|M [A-Za-z]+|X [0-9A-F]{6} .+)$/, 'an event code, e.g. "2 PERIODIC", "M Reboot" or "X 00256D MYEVENT"')
  .max(64);

export const deviceListQuery = z
  .object({
    search: z.string().max(256).default('').describe('Part of the serial number'),
    status: z.enum(['all', 'online', 'offline']).default('all'),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();

export const addDevicesBody = z.object({ count: z.number().int().min(1).max(100_000) }).strict();

export const actionBody = z
  .object({
    action: z.enum(['power-on', 'power-off', 'reboot', 'factory-reset', 'inform']),
    events: z.array(eventCode).min(1).max(16).optional().describe('inform: the events of the Inform (default ["6 CONNECTION REQUEST"])'),
    commandKey: z.string().max(32).optional(),
  })
  .strict();

export const setValuesBody = z.object({ values: z.record(z.string().max(256), z.string().max(65_536)) }).strict();

// The RPCs an ACS engineer sends from a device's page; each checked as the bundled ACS would send it.
const parameterName = z.string().min(1).max(256);
export const acsRequestBody = z
  .object({
    request: z.discriminatedUnion('method', [
      z
        .object({
          method: z.literal('SetParameterValues'),
          parameterList: z
            .array(z.object({ name: parameterName, value: z.string().max(65_536), type: z.string().max(64).optional() }).strict())
            .min(1)
            .max(100),
          parameterKey: z.string().max(32).optional(),
        })
        .strict(),
      z.object({ method: z.literal('AddObject'), objectName: parameterName, parameterKey: z.string().max(32).optional() }).strict(),
      z.object({ method: z.literal('DeleteObject'), objectName: parameterName, parameterKey: z.string().max(32).optional() }).strict(),
      z.object({ method: z.literal('GetParameterValues'), parameterNames: z.array(z.string().max(256)).min(1).max(100) }).strict(),
    ]),
  })
  .strict();

export const parametersQuery = z
  .object({
    search: z.string().max(256).default('').describe('Part of a name or value'),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

export const traceQuery = z
  .object({
    session: z.coerce.number().int().min(1).optional().describe('Only this session (numbered in the order of the file)'),
    bodies: z.enum(['true', 'false']).default('false'),
  })
  .strict();

const noQuery = z.object({}).strict();

export type RouteName =
  | 'summary'
  | 'series'
  | 'events'
  | 'listDevices'
  | 'addDevices'
  | 'getDevice'
  | 'removeDevice'
  | 'deviceAction'
  | 'setValues'
  | 'acsRequest'
  | 'listParameters'
  | 'getTrace';

export interface ControlRoute {
  name: RouteName;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** OpenAPI path: `{serial}` is the one path parameter. */
  path: string;
  summary: string;
  query: z.ZodObject;
  body?: z.ZodType;
  /** Status → description; 'json' answers are JSON objects, 'text' plain text, 'stream' an event stream. */
  responses: Record<number, string>;
  produces?: 'json' | 'text' | 'stream';
}

export const CONTROL_ROUTES: readonly ControlRoute[] = [
  {
    name: 'summary',
    method: 'GET',
    path: '/api/summary',
    summary: 'Fleet figures: devices, online, bootstrapped, sessions, failures by kind',
    query: noQuery,
    responses: { 200: 'Summary' },
  },
  {
    name: 'series',
    method: 'GET',
    path: '/api/series',
    summary: 'The last ten minutes, one point a second: online, sessions/s, failures/s, latency p50/p99 (ms)',
    query: noQuery,
    responses: { 200: 'Series' },
  },
  {
    name: 'events',
    method: 'GET',
    path: '/api/events',
    summary: 'Server-Sent Events: the series so far, then a point and the summary every second',
    query: noQuery,
    responses: { 200: 'text/event-stream', 503: 'Too many event streams open' },
    produces: 'stream',
  },
  {
    name: 'listDevices',
    method: 'GET',
    path: '/api/devices',
    summary: 'Devices, paged and searched on the server',
    query: deviceListQuery,
    responses: { 200: 'A page of devices', 400: 'A bad query' },
  },
  {
    name: 'addDevices',
    method: 'POST',
    path: '/api/devices',
    summary: 'Add devices to a running fleet (powered on at once: they bootstrap)',
    query: noQuery,
    body: addDevicesBody,
    responses: { 201: 'The new serial numbers', 400: 'A bad body', 409: 'Not a fleet' },
  },
  {
    name: 'getDevice',
    method: 'GET',
    path: '/api/devices/{serial}',
    summary: 'Identity, status, pending events, queued transfers, recent sessions',
    query: noQuery,
    responses: { 200: 'The device', 404: 'No such device' },
  },
  {
    name: 'removeDevice',
    method: 'DELETE',
    path: '/api/devices/{serial}',
    summary: 'Remove a device from the fleet',
    query: noQuery,
    responses: { 200: 'Removed', 404: 'No such device', 409: 'Not a fleet' },
  },
  {
    name: 'deviceAction',
    method: 'POST',
    path: '/api/devices/{serial}/actions',
    summary: 'power-on, power-off, reboot, factory-reset, or inform with chosen events',
    query: noQuery,
    body: actionBody,
    responses: { 202: 'Done, or under way', 400: 'A bad body', 404: 'No such device', 409: 'The device is offline' },
  },
  {
    name: 'setValues',
    method: 'PUT',
    path: '/api/devices/{serial}/values',
    summary: 'Change values as the device itself would (notification and 4 VALUE CHANGE follow)',
    query: noQuery,
    body: setValuesBody,
    responses: { 200: 'Changed', 400: 'A bad body or value', 404: 'No such device', 409: 'The device is offline' },
  },
  {
    name: 'acsRequest',
    method: 'POST',
    path: '/api/devices/{serial}/acs-requests',
    summary:
      'Where the bundled test ACS is the ACS: queue SetParameterValues, AddObject, DeleteObject or GetParameterValues for the device and send it a connection request (the session carries it)',
    query: noQuery,
    body: acsRequestBody,
    responses: {
      202: 'Queued; the connection request status says whether the session starts now',
      400: 'A bad body',
      404: 'No such device',
      409: 'The device is offline, or its ACS is not the bundled one',
    },
  },
  {
    name: 'listParameters',
    method: 'GET',
    path: '/api/devices/{serial}/parameters',
    summary: 'The data model: names, values, types, notification; paged and searched',
    query: parametersQuery,
    responses: { 200: 'A page of parameters', 400: 'A bad query', 404: 'No such device', 409: 'The device is offline' },
  },
  {
    name: 'getTrace',
    method: 'GET',
    path: '/api/devices/{serial}/trace',
    summary: 'The wire trace as a conversation (with --trace)',
    query: traceQuery,
    responses: { 200: 'text/plain', 400: 'A bad query', 404: 'No trace, or no such session' },
    produces: 'text',
  },
];

/** The route for a method and path segments after /api/ (["devices", "SN1", "actions"]), with the serial. */
export function matchRoute(method: string, parts: readonly string[]): { route?: ControlRoute; serial?: string; allowed: string[] } {
  const allowed: string[] = [];
  for (const route of CONTROL_ROUTES) {
    const pattern = route.path.split('/').slice(2);
    if (pattern.length !== parts.length) continue;
    let serial: string | undefined;
    const matches = pattern.every((p, i) => {
      if (p === '{serial}') {
        serial = parts[i];
        return true;
      }
      return p === parts[i];
    });
    if (!matches) continue;
    allowed.push(route.method);
    if (route.method === method) return { route, serial, allowed };
  }
  return { allowed };
}

/** A zod error as one line naming each bad field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? `"${i.path.join('.')}": ` : ''}${i.message}`).join('; ');
}

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The OpenAPI 3.1 document of the routes. */
export function controlOpenApi(routes: readonly ControlRoute[] = CONTROL_ROUTES): Record<string, unknown> {
  const error = { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const querySchema = jsonSchema(r.query) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
    const parameters = [
      ...(r.path.includes('{serial}')
        ? [{ name: 'serial', in: 'path', required: true, schema: { type: 'string' }, description: 'The device serial number' }]
        : []),
      ...Object.entries(querySchema.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query',
        required: querySchema.required?.includes(name) ?? false,
        schema,
        ...(typeof schema['description'] === 'string' ? { description: schema['description'] } : {}),
      })),
    ];
    const responses = Object.fromEntries(
      Object.entries(r.responses).map(([status, description]) => {
        if (Number(status) >= 400) return [status, { ...error, description }];
        if (r.produces === 'text') return [status, { description, content: { 'text/plain': { schema: { type: 'string' } } } }];
        if (r.produces === 'stream') return [status, { description, content: { 'text/event-stream': { schema: { type: 'string' } } } }];
        return [status, { description, content: { 'application/json': { schema: { type: 'object' } } } }];
      }),
    );
    responses['401'] = { ...error, description: 'The token is missing or wrong (when the API asks for one)' };
    responses['403'] = { ...error, description: 'A foreign Origin or Host' };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.name,
      summary: r.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cwmp-agent control API',
      version: '1',
      description: 'Watch and steer a fleet of simulated CPEs (or one agent): devices, their sessions, values and actions.',
    },
    // Relative: the document is served by the API it describes, on whatever address and port.
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        token: { type: 'http', scheme: 'bearer', description: 'Required when the API listens beyond loopback (ui.token); ?token= works too' },
      },
      schemas: { Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } },
    },
    security: [{ token: [] }, {}],
    paths,
  };
}
