/**
 * Prints the `temporal server start-dev` arguments that register the project's custom search attributes,
 * one argument per line (`--search-attribute`, `BirdWorkspaceId=Keyword`, ...). scripts/temporal.sh reads
 * them with `mapfile`, so the list lives only in src/domain/search-attributes.ts.
 *
 *   npx tsx scripts/print-search-attributes.ts
 */
import { devServerSearchAttributeArgs } from '../src/domain/search-attributes';

process.stdout.write(`${devServerSearchAttributeArgs().join('\n')}\n`);
