// `npm start` will run the whole system locally (DynamoDB Local, s3rver, ingest, API and site)
// once the ingestion issue lands. Until then it says so plainly rather than pretending.
process.stdout.write(`IMR Atlas: the local stack (npm start) arrives with the ingestion issue.

What works today:
  npx imr parse FILE|DIR...   parse letters (PDF or text) into Determination JSON lines
  npx imr --help              all commands
  npm test                    lint, format check, typecheck and every test
  npm run bench:parse         parser throughput against pdftotext
`);
