// GET /openapi.json: the API described as OpenAPI 3.1, built from the same limits the server
// enforces, with this run's labels, so a hospital system can generate its client from it.
import {
  MAX_BODY_BYTES,
  MAX_TEXTS_PER_REQUEST,
  MAX_TEXT_CHARS,
  RETRY_AFTER_SECONDS,
} from './limits'

export interface OpenApiContext {
  runId: number
  labels: string[]
  version: string
}

const errorRef = { $ref: '#/components/schemas/Error' }
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorRef } },
})

export function openApiDocument(c: OpenApiContext): Record<string, unknown> {
  const labels = { type: 'string', enum: c.labels }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Clinical Text Studio prediction API',
      version: c.version,
      description:
        `Classifies clinical texts with trained run ${c.runId} (labels: ${c.labels.join(', ')}). ` +
        'Texts are processed in memory on this machine and are never logged or stored.',
    },
    servers: [{ url: '/' }],
    paths: {
      '/predict': {
        post: {
          operationId: 'predict',
          summary: 'Predict a label and class probabilities for each text',
          security: [{ bearerAuth: [] }],
          requestBody: {
            required: true,
            description: `At most ${MAX_BODY_BYTES} bytes.`,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/PredictRequest' } },
            },
          },
          responses: {
            '200': {
              description: 'One prediction per text, in the order of the texts.',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/PredictResponse' } },
              },
            },
            '400': errorResponse(
              'Bad JSON (code bad-json) or bad texts (code bad-input): missing, empty, not a ' +
                'string, too many or too long. The message names the offending index.',
            ),
            '401': errorResponse(
              'Missing or unknown bearer token, or a named token that expired or was revoked ' +
                '(the message says which).',
            ),
            '403': errorResponse('The Host header does not name this loopback server.'),
            '405': errorResponse('Only POST is allowed.'),
            '413': errorResponse(`The body is larger than ${MAX_BODY_BYTES} bytes.`),
            '415': errorResponse('The Content-Type is not application/json.'),
            '429': {
              ...errorResponse(
                'This token made more requests per minute than the server allows (code ' +
                  'rate-limited); retry after Retry-After seconds.',
              ),
              headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
            },
            '500': errorResponse('The model failed; the request can be retried.'),
            '503': {
              ...errorResponse('Too many texts are waiting; retry after Retry-After seconds.'),
              headers: {
                'Retry-After': {
                  schema: { type: 'integer', examples: [RETRY_AFTER_SECONDS] },
                },
              },
            },
          },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Whether the server is up, and which run and labels it serves',
          security: [],
          responses: {
            '200': {
              description: 'The server is ready.',
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Health' } },
              },
            },
            '403': errorResponse('The Host header does not name this loopback server.'),
            '405': errorResponse('Only GET is allowed.'),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The token printed by `cts serve` (or given with --token / CTS_TOKEN).',
        },
      },
      schemas: {
        PredictRequest: {
          type: 'object',
          required: ['texts'],
          properties: {
            texts: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_TEXTS_PER_REQUEST,
              items: { type: 'string', minLength: 1, maxLength: MAX_TEXT_CHARS },
            },
          },
          examples: [{ texts: ['severe chest pain with shortness of breath', '体检正常'] }],
        },
        PredictResponse: {
          type: 'object',
          required: ['predictions'],
          properties: {
            predictions: { type: 'array', items: { $ref: '#/components/schemas/Prediction' } },
          },
        },
        Prediction: {
          type: 'object',
          required: ['label', 'probabilities'],
          properties: {
            label: { ...labels, description: 'The most probable label.' },
            probabilities: {
              type: 'object',
              description: 'Probability of each label (they sum to 1).',
              properties: Object.fromEntries(
                c.labels.map((l) => [l, { type: 'number', minimum: 0, maximum: 1 }]),
              ),
              required: c.labels,
              additionalProperties: false,
            },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'run_id', 'labels'],
          properties: {
            status: { const: 'ok' },
            run_id: { type: 'integer', const: c.runId },
            labels: { type: 'array', items: { type: 'string' } },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: {
                  type: 'string',
                  enum: [
                    'bad-json',
                    'bad-input',
                    'unauthorized',
                    'forbidden',
                    'not-found',
                    'method-not-allowed',
                    'payload-too-large',
                    'unsupported-media-type',
                    'busy',
                    'internal',
                  ],
                },
                message: { type: 'string' },
              },
            },
          },
        },
      },
    },
  }
}
