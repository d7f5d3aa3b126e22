import { buildOpenApiDocument } from '#functions/http/openapi.ts';
const d: any = buildOpenApiDocument();
console.log(Object.keys(d.components.schemas));
console.log(JSON.stringify(d.components.schemas.CreateCheckoutRequest).slice(0,300));
console.log(JSON.stringify(d.paths['/v1/checkouts'].get.parameters));
console.log(JSON.stringify(d.paths['/v1/checkouts'].post.requestBody));
