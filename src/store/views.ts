// Views derived from the data tables, created in the store and over a Parquet lake alike.
import { eventDataColumns } from './records.js';

const itemType = `[{${Object.entries(eventDataColumns)
  .map(([name, type]) => `"${name}":"${type}"`)
  .join(',')}}]`;

export const DERIVED_VIEWS: readonly { name: string; sql: string }[] = [
  {
    // One row per EventData/UserData value, in document order (ordinal from 0).
    name: 'event_data',
    sql: `CREATE VIEW event_data AS
      SELECT file_id, seq, ordinal::INTEGER AS ordinal, item.name AS name, item.value AS value
      FROM (
        SELECT file_id, seq, unnest(range(len(items))) AS ordinal, unnest(items) AS item
        FROM (SELECT file_id, seq, from_json(data, '${itemType}') AS items FROM events)
      )`,
  },
];
