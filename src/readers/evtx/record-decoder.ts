// One event record → EventRecord (and, for `dump --format xml`, its Windows-style XML). A record
// whose BinXML does not decode into an <Event> with an EventID throws: it is never emitted half-read.
import { BinXmlEvaluator } from './binxml-eval.js';
import { parseFragment } from './binxml-parse.js';
import { BinXmlError, ChunkContext } from './chunk-context.js';
import { RECORD_HEADER_SIZE, headerRecordId } from './chunk.js';
import { EventRecordBuilder, type MutableEventRecord } from './event-builder.js';
import { XmlSink } from './xml-sink.js';

export interface DecodedRecord {
  readonly record: MutableEventRecord;
  /** The record as Windows' XML export writes it; null unless asked for. */
  readonly xml: string | null;
}

export class ChunkDecoder {
  readonly ctx: ChunkContext;
  private readonly builder = new EventRecordBuilder();
  private readonly toRecord: BinXmlEvaluator;
  private readonly xmlSink: XmlSink | null;
  private readonly toXml: BinXmlEvaluator | null;

  constructor(
    buf: Buffer,
    /** File offset of the chunk, for source_offset. */
    private readonly chunkOffset: number,
    withXml: boolean,
  ) {
    this.ctx = new ChunkContext(buf);
    this.toRecord = new BinXmlEvaluator(this.ctx, this.builder);
    this.xmlSink = withXml ? new XmlSink() : null;
    this.toXml = this.xmlSink ? new BinXmlEvaluator(this.ctx, this.xmlSink) : null;
  }

  /** Decodes the record framed at chunk offset `pos` with `size` bytes. Throws when it does not decode. */
  decode(pos: number, size: number): DecodedRecord {
    const nodes = parseFragment(this.ctx, pos + RECORD_HEADER_SIZE, pos + size - 4);
    let record: MutableEventRecord;
    try {
      this.toRecord.run(nodes);
    } finally {
      record = this.builder.take();
    }
    if (record.event_id === null) throw new BinXmlError('record has no System/EventID', pos);
    record.record_id ??= headerRecordId(this.ctx.buf, pos);
    record.source_offset = this.chunkOffset + pos;
    let xml: string | null = null;
    if (this.toXml && this.xmlSink) {
      try {
        this.toXml.run(nodes);
      } finally {
        xml = this.xmlSink.take();
      }
    }
    return { record, xml };
  }
}
