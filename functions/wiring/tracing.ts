// The Powertools Tracer (X-Ray SDK), for the functions whose composition roots import
// this module: those that call out of AWS (the provider, merchants' webhook endpoints),
// where its subsegments (each AWS SDK call, each outbound HTTPS request, the handler)
// show where a slow request spent its time. The others keep Lambda active tracing only
// and never load the SDK (functions/observability.ts says why; bench/README.md measures it).
import './xray-mode.ts';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { installTracing } from '#functions/observability.ts';

const powertoolsTracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'payments' });

installTracing({
  captureAWSv3Client: (client) => powertoolsTracer.captureAWSv3Client(client),
  // Responses hold checkout data: traces keep timings, not bodies.
  handlerMiddleware: () => captureLambdaHandler(powertoolsTracer, { captureResponse: false }),
});
