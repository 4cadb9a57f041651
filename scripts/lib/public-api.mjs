import openapiTS, { astToString } from 'openapi-typescript'

/** The address the committed document names, where `pnpm start` serves the gateway; a deployment names its own PUBLIC_URL. */
export const DOCUMENT_SERVER = 'http://127.0.0.1:8080'

/** The TypeScript types of the public API's document, as @otp-suite/client ships them. */
export async function clientTypes(document) {
  const ast = await openapiTS(document)
  return `// Made from openapi.json beside it by \`pnpm client:generate\`; do not edit.\n\n${astToString(ast)}`
}
