import { buildOpenApiDocument } from '#functions/http/openapi.ts';
const d: any = buildOpenApiDocument();
console.log(JSON.stringify(d.components.schemas.CreateCheckoutRequest.required), JSON.stringify(d.components.schemas.CreateCheckoutRequest.properties.fee));
console.log(JSON.stringify(d.components.schemas.ExplicitFeeQuoteRequest.required));
