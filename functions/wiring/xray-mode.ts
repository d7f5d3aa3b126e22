// Imported before the X-Ray SDK (functions/wiring/tracing.ts): outside Lambda nothing is
// traced (Powertools turns the tracer off there), yet the SDK in its default mode would
// still install cls-hooked's async hooks at import, on every promise of the process
// (the local runtime runs every function in one). Manual mode skips them.
if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
