/**
 * `npm run contracts`: writes the caller contract (JSON Schema generated from the zod schemas, and the conventions)
 * under contracts/. test/contracts.test.ts fails when the committed files differ from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractDocuments, serialiseContract } from '../src/client/contract-documents';

const dir = join(__dirname, '..', 'contracts');
for (const [file, doc] of Object.entries(contractDocuments())) {
  writeFileSync(join(dir, file), serialiseContract(doc));
  console.log(`contracts/${file}`);
}
