import openapiTS, { astToString } from 'openapi-typescript'

/** The TypeScript types of the public API's document, as @otp-suite/client ships them. */
export async function clientTypes(document) {
  const ast = await openapiTS(document)
  return `// Made from openapi.json beside it by \`pnpm client:generate\`; do not edit.\n\n${astToString(ast)}`
}
