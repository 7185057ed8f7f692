// The official OpenAI Node SDK as a client of the service: models.list, embeddings.create with the SDK's default
// encoding (it asks for base64 and decodes the float32 bytes to numbers), with encoding_format "float", and two refusals
// (an unknown model, a text input) whose APIError messages should carry the service's own detail.
// Usage: node client.mjs <base URL, e.g. http://127.0.0.1:5000> <path of a PNG image> [model]
// Prints one JSON object on stdout; exits 2 on bad arguments and 1 when a call that should succeed fails.
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';

const [baseUrl, pngPath, modelArg] = process.argv.slice(2);
if (!baseUrl || !pngPath) {
  console.error('usage: node client.mjs <base URL> <png path> [model]');
  process.exit(2);
}

// The encoding_format each embeddings request put on the wire, read off the request the SDK hands to fetch.
const sentEncodings = [];
const client = new OpenAI({
  baseURL: `${baseUrl.replace(/\/$/, '')}/v1`,
  apiKey: process.env.HYPERSPHERE_API_KEY || 'no-key-needed',
  maxRetries: 0,
  timeout: 60_000,
  fetch: async (url, init) => {
    if (String(url).endsWith('/embeddings') && typeof init?.body === 'string') {
      sentEncodings.push(JSON.parse(init.body).encoding_format ?? null);
    }
    return fetch(url, init);
  },
});
const png = readFileSync(pngPath).toString('base64');
const input = [png, `data:image/png;base64,${png}`];

// The error as the SDK surfaces it to an application: its class, status, message, and the parsed error fields.
async function refusal(call) {
  try {
    const answer = await call();
    return { thrown: false, answer };
  } catch (error) {
    return {
      thrown: true,
      name: error?.constructor?.name ?? null,
      isApiError: error instanceof OpenAI.APIError,
      status: error?.status ?? null,
      message: String(error?.message ?? error),
      code: error?.code ?? null,
      type: error?.type ?? null,
    };
  }
}

const rows = (response) => response.data.map((item) => Array.from(item.embedding));

try {
  const models = [];
  for await (const model of client.models.list()) {
    models.push(model.id);
  }

  const model = modelArg || models[0];
  const byDefault = await client.embeddings.create({ model, input });
  const defaultEncoding = sentEncodings.at(-1);
  const asFloat = await client.embeddings.create({ model, input, encoding_format: 'float' });
  const floatEncoding = sentEncodings.at(-1);
  const summary = {
    models,
    model,
    default: {
      model: byDefault.model,
      sentEncoding: defaultEncoding,
      decoded: byDefault.data.every((item) => Array.isArray(item.embedding) && item.embedding.every((v) => typeof v === 'number')),
      indices: byDefault.data.map((item) => item.index),
      rows: rows(byDefault),
    },
    float: { model: asFloat.model, sentEncoding: floatEncoding, indices: asFloat.data.map((item) => item.index), rows: rows(asFloat) },
    unknownModel: await refusal(() => client.embeddings.create({ model: 'nope', input: png })),
    textInput: await refusal(() => client.embeddings.create({ model, input: 'hello' })),
  };
  console.log(JSON.stringify(summary));
} catch (error) {
  console.error(`a call that should succeed failed: ${error?.stack ?? error}`);
  process.exit(1);
}
