import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import type { Determination } from '../record/index.ts';
import { csvLine, type CsvValue } from '../csv.ts';
import { yearOf } from '../privacy/index.ts';
import type { FileSink, WrittenFile } from './sink.ts';

// The item-level dataset: one row per disputed item, with the letter's dates, the item's
// classification and decision, and who reviewed it. Only coded values: no request text, no
// rationale, no summary, nothing private (the source file name and the uploading organisation
// stay out; the injury is given by its year, as on the API). The columns are defined once below, and the CSV header, CSV values, Parquet schema
// and Parquet columns all derive from that one definition.

/** One disputed item, as a row of the dataset. */
export interface ItemRow {
  caseNumber: string;
  ordinal: number;
  decisionDate: string | null;
  assignedDate: string | null;
  applicationReceivedDate: string | null;
  urDenialDate: string | null;
  injuryYear: number | null;
  priority: string | null;
  category: string;
  subcategory: string | null;
  drug: string | null;
  bodyRegion: string | null;
  bodyRegions: string[];
  decision: string;
  citationSources: string[];
  specialties: string[];
  synthetic: boolean;
  textSource: string;
}

type Kind = 'string' | 'int' | 'date' | 'boolean' | 'list';

interface Column {
  name: keyof ItemRow;
  kind: Kind;
  nullable: boolean;
  /** For docs/EXPORTS.md and the manifest's readers. */
  description: string;
}

/** The dataset's columns, in file order. */
export const ITEM_COLUMNS: readonly Column[] = [
  {
    name: 'caseNumber',
    kind: 'string',
    nullable: false,
    description: 'IMR case number; for a letter that names none, X- and 16 hex digits of its hash',
  },
  {
    name: 'ordinal',
    kind: 'int',
    nullable: false,
    description: 'position of the item in its letter',
  },
  { name: 'decisionDate', kind: 'date', nullable: true, description: 'date of the IMR decision' },
  { name: 'assignedDate', kind: 'date', nullable: true, description: 'date IMR assigned the case' },
  {
    name: 'applicationReceivedDate',
    kind: 'date',
    nullable: true,
    description: 'date the IMR application was received',
  },
  {
    name: 'urDenialDate',
    kind: 'date',
    nullable: true,
    description: 'date of the utilization review denial',
  },
  {
    name: 'injuryYear',
    kind: 'int',
    nullable: true,
    description: 'year of injury (the date is not published, as in HIPAA Safe Harbor)',
  },
  { name: 'priority', kind: 'string', nullable: true, description: 'Standard or Expedited' },
  { name: 'category', kind: 'string', nullable: false, description: 'treatment category' },
  {
    name: 'subcategory',
    kind: 'string',
    nullable: true,
    description: 'subcategory (a drug class for pharmaceuticals)',
  },
  { name: 'drug', kind: 'string', nullable: true, description: 'generic name of the drug' },
  {
    name: 'bodyRegion',
    kind: 'string',
    nullable: true,
    description: 'first body region the request names',
  },
  { name: 'bodyRegions', kind: 'list', nullable: false, description: 'every body region named' },
  { name: 'decision', kind: 'string', nullable: false, description: 'upheld or overturned' },
  {
    name: 'citationSources',
    kind: 'list',
    nullable: false,
    description: 'sources the reviewer cited (MTUS, ACOEM, ODG, Other); empty when none',
  },
  { name: 'specialties', kind: 'list', nullable: false, description: "reviewer's specialties" },
  {
    name: 'synthetic',
    kind: 'boolean',
    nullable: false,
    description: 'true for made-up test letters (imr generate), never a real decision',
  },
  {
    name: 'textSource',
    kind: 'string',
    nullable: false,
    description: "how the letter's text was read: pdf-text, ocr (a scan) or plain-text",
  },
];

/** Separates the values of a list column in the CSV (the Parquet file has real lists). */
export const CSV_LIST_SEPARATOR = '; ';

/** The rows of one determination, in item order. */
export function itemRows(caseId: string, record: Determination): ItemRow[] {
  const specialties = [...new Set(record.reviewer.specialties)];
  const synthetic = record.flags.includes('synthetic');
  return record.issues.map((issue) => ({
    caseNumber: caseId,
    ordinal: issue.ordinal,
    decisionDate: record.dates.decision,
    assignedDate: record.dates.assigned,
    applicationReceivedDate: record.dates.applicationReceived,
    urDenialDate: record.dates.urDenial,
    injuryYear: yearOf(record.dates.injury),
    priority: record.priority,
    category: issue.category,
    subcategory: issue.subcategory,
    drug: issue.drug,
    bodyRegion: issue.bodyRegion,
    bodyRegions: [...new Set(issue.bodyRegions)],
    decision: issue.decision,
    citationSources: [...new Set(issue.citations.map((c) => c.source))],
    specialties,
    synthetic,
    textSource: record.textSource,
  }));
}

/** The CSV header line. */
export function itemCsvHeader(): string {
  return csvLine(ITEM_COLUMNS.map((c) => c.name));
}

/** One row as a CSV line. */
export function itemCsvLine(row: ItemRow): string {
  return csvLine(ITEM_COLUMNS.map((c) => csvValue(row[c.name])));
}

function csvValue(value: ItemRow[keyof ItemRow]): CsvValue {
  return Array.isArray(value) ? value.join(CSV_LIST_SEPARATOR) : value;
}

function stringElement(name: string, nullable: boolean): SchemaElement {
  return {
    name,
    type: 'BYTE_ARRAY',
    converted_type: 'UTF8',
    logical_type: { type: 'STRING' },
    repetition_type: nullable ? 'OPTIONAL' : 'REQUIRED',
  };
}

function schemaElements(c: Column): SchemaElement[] {
  const repetition = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (c.kind) {
    case 'string':
      return [stringElement(c.name, c.nullable)];
    case 'int':
      return [{ name: c.name, type: 'INT32', repetition_type: repetition }];
    case 'date':
      return [
        {
          name: c.name,
          type: 'INT32',
          converted_type: 'DATE',
          logical_type: { type: 'DATE' },
          repetition_type: repetition,
        },
      ];
    case 'boolean':
      return [{ name: c.name, type: 'BOOLEAN', repetition_type: repetition }];
    case 'list':
      // The standard three-level list: <name> (LIST) { repeated group list { element } }.
      return [
        {
          name: c.name,
          converted_type: 'LIST',
          logical_type: { type: 'LIST' },
          repetition_type: repetition,
          num_children: 1,
        },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        stringElement('element', false),
      ];
  }
}

/** The Parquet schema of the dataset. */
export const ITEM_PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: ITEM_COLUMNS.length },
  ...ITEM_COLUMNS.flatMap(schemaElements),
];

/** A date column's value as Parquet's DATE (days since 1970) takes it. */
function dateValue(value: string | null): Date | null {
  return value === null ? null : new Date(`${value}T00:00:00Z`);
}

function columnData(rows: readonly ItemRow[]): ColumnSource[] {
  return ITEM_COLUMNS.map((c) => {
    if (c.kind === 'date') {
      return {
        name: c.name,
        data: rows.map((r) => {
          const v = r[c.name];
          return dateValue(typeof v === 'string' ? v : null);
        }),
      };
    }
    return { name: c.name, data: rows.map((r) => r[c.name]) };
  });
}

// The writer hyparquet-writer writes into: each row group, once encoded, goes on to the sink
// (and from there to S3 in parts), so memory holds one row group, not the file.
class SinkWriter extends ByteWriter {
  constructor(private readonly sink: FileSink) {
    super(1024 * 1024);
  }

  // Not declared by ByteWriter: the Writer interface's optional hook, called after each row group.
  flush(): Promise<void> {
    const bytes = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    return this.sink.write(bytes);
  }

  override finish(): Promise<void> {
    return this.flush();
  }
}

/** Identifies the files' writer in their metadata; fixed, so the same rows give the same bytes. */
const CREATED_BY = 'IMR Atlas export (hyparquet-writer)';

/** Writes the dataset's rows as Parquet, one row group per `rowGroupSize` rows. */
export class ItemParquetWriter {
  private pending: ItemRow[] = [];
  private readonly writer: ParquetWriter;
  rows = 0;

  constructor(
    private readonly sink: FileSink,
    private readonly rowGroupSize: number,
  ) {
    this.writer = new ParquetWriter({
      writer: new SinkWriter(sink),
      schema: ITEM_PARQUET_SCHEMA,
      createdBy: CREATED_BY,
    });
  }

  async add(rows: readonly ItemRow[]): Promise<void> {
    this.pending.push(...rows);
    this.rows += rows.length;
    while (this.pending.length >= this.rowGroupSize) {
      await this.writeGroup(this.pending.splice(0, this.rowGroupSize));
    }
  }

  /** Writes the last row group and the footer, and makes the file appear. */
  async close(): Promise<WrittenFile> {
    if (this.pending.length > 0) await this.writeGroup(this.pending.splice(0));
    await this.writer.finish();
    return this.sink.close();
  }

  abort(): Promise<void> {
    this.pending = [];
    return this.sink.abort();
  }

  private async writeGroup(rows: ItemRow[]): Promise<void> {
    await this.writer.write({ columnData: columnData(rows), rowGroupSize: rows.length });
  }
}
