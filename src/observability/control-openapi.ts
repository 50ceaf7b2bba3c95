/** The control API described as OpenAPI 3.1, served at /openapi.json. */

const error = { description: 'What is wrong with the request', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
const ok = (description: string, schema: object = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const serial = { name: 'serial', in: 'path', required: true, schema: { type: 'string' }, description: 'The device serial number' };

export const CONTROL_OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'cwmp-agent control API',
    version: '1',
    description: 'Watch and steer a fleet of simulated CPEs (or one agent): devices, their sessions, values and actions.',
  },
  components: {
    securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'Required when the API listens beyond loopback (ui.token); ?token= works too' } },
    schemas: {
      Error: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
      DeviceRow: {
        type: 'object',
        properties: { serial: { type: 'string' }, online: { type: 'boolean' }, bootstrapped: { type: 'boolean' }, lastSession: { type: ['object', 'null'] } },
      },
    },
  },
  security: [{ token: [] }, {}],
  paths: {
    '/api/summary': {
      get: { summary: 'Fleet figures: devices, online, bootstrapped, sessions, failures by kind', responses: { 200: ok('Summary'), 401: error } },
    },
    '/api/series': {
      get: {
        summary: 'The last ten minutes, one point a second: online, sessions/s, failures/s, latency p50/p99 (ms)',
        responses: { 200: ok('Series', { type: 'array' }) },
      },
    },
    '/api/events': {
      get: {
        summary: 'Server-Sent Events: the series so far, then a point and the summary every second',
        responses: { 200: { description: 'text/event-stream' } },
      },
    },
    '/api/devices': {
      get: {
        summary: 'Devices, paged and searched on the server',
        parameters: [
          { name: 'search', in: 'query', schema: { type: 'string' }, description: 'Part of the serial number' },
          { name: 'status', in: 'query', schema: { enum: ['all', 'online', 'offline'] } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
        ],
        responses: {
          200: ok('A page of devices', {
            type: 'object',
            properties: { total: { type: 'integer' }, items: { type: 'array', items: { $ref: '#/components/schemas/DeviceRow' } } },
          }),
          400: error,
        },
      },
      post: {
        summary: 'Add devices to a running fleet (powered on at once: they bootstrap)',
        requestBody: {
          content: { 'application/json': { schema: { type: 'object', properties: { count: { type: 'integer', minimum: 1 } }, required: ['count'] } } },
        },
        responses: { 201: ok('The new serial numbers'), 400: error, 409: error },
      },
    },
    '/api/devices/{serial}': {
      parameters: [serial],
      get: { summary: 'Identity, status, pending events, queued transfers, recent sessions', responses: { 200: ok('The device'), 404: error } },
      delete: { summary: 'Remove a device from the fleet', responses: { 200: ok('Removed'), 404: error, 409: error } },
    },
    '/api/devices/{serial}/actions': {
      parameters: [serial],
      post: {
        summary: 'power-on, power-off, reboot, factory-reset, or inform with chosen events',
        requestBody: {
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  action: { enum: ['power-on', 'power-off', 'reboot', 'factory-reset', 'inform'] },
                  events: { type: 'array', items: { type: 'string' } },
                  commandKey: { type: 'string' },
                },
                required: ['action'],
              },
            },
          },
        },
        responses: { 202: ok('Done, or under way'), 400: error, 404: error, 409: error },
      },
    },
    '/api/devices/{serial}/values': {
      parameters: [serial],
      put: {
        summary: 'Change values as the device itself would (notification and 4 VALUE CHANGE follow)',
        requestBody: {
          content: {
            'application/json': {
              schema: { type: 'object', properties: { values: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['values'] },
            },
          },
        },
        responses: { 200: ok('Changed'), 400: error, 409: error },
      },
    },
    '/api/devices/{serial}/parameters': {
      parameters: [
        serial,
        { name: 'search', in: 'query', schema: { type: 'string' } },
        { name: 'offset', in: 'query', schema: { type: 'integer' } },
        { name: 'limit', in: 'query', schema: { type: 'integer' } },
      ],
      get: { summary: 'The data model: names, values, types, notification; paged and searched', responses: { 200: ok('A page of parameters'), 409: error } },
    },
    '/api/devices/{serial}/trace': {
      parameters: [serial, { name: 'session', in: 'query', schema: { type: 'integer' } }, { name: 'bodies', in: 'query', schema: { type: 'boolean' } }],
      get: { summary: 'The wire trace as a conversation (with --trace)', responses: { 200: { description: 'text/plain' }, 404: error } },
    },
  },
} as const;
