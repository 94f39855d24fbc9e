import { parquetMetadata, parquetReadObjects } from 'hyparquet';

/** A Parquet file's rows through hyparquet, dates (read as Date) back as "YYYY-MM-DD". */
export async function readParquetRows(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const rows = await parquetReadObjects({ file: arrayBuffer(bytes) });
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        v instanceof Date ? v.toISOString().slice(0, 10) : v,
      ]),
    ),
  );
}

/** Rows in each row group of a Parquet file. */
export function rowGroupSizes(bytes: Uint8Array): number[] {
  return parquetMetadata(arrayBuffer(bytes)).row_groups.map((g) => Number(g.num_rows));
}

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}
