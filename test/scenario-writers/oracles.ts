// Runs the external parsers (one subprocess per oracle and file) and returns what they saw.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Debian's python3, which carries the pyevtx, Evtx and pyevt modules (a pyenv python may shadow it).
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./oracles.py', import.meta.url));

export interface XmlRecord {
  recordId: string;
  provider: string;
  eventId: string;
  qualifiers: string | null;
  level: string;
  task: string;
  keywords: string;
  time: string;
  channel: string;
  computer: string;
  userSid: string | null;
  data: string[];
  binary: string | null;
}

export interface LibevtxRecord extends XmlRecord {
  getters: {
    recordId: number; eventId: number; qualifiers: number; level: number;
    provider: string; computer: string; userSid: string | null; writtenTime: string;
  };
}

export interface PyevtxResult { corrupted: boolean; recovered: number; records: LibevtxRecord[] }

export interface PythonEvtxResult {
  headerVerified: boolean;
  dirty: boolean;
  full: boolean;
  chunkCount: number;
  nextRecordId: number;
  chunks: Array<{ verified: boolean; records: number; templates: number }>;
  records: Array<XmlRecord & { headerRecordId: number }>;
}

export interface PyevtRecord {
  recordId: number;
  eventIdentifier: number;
  eventType: number;
  category: number;
  provider: string;
  computer: string;
  userSid: string | null;
  created: number;
  written: number;
  data: string[];
  binary: string | null;
}

export interface PyevtResult { corrupted: boolean; recovered: number; records: PyevtRecord[] }

function runOracle(oracle: string, path: string): unknown {
  return JSON.parse(execFileSync(PYTHON, [SCRIPT, oracle, path], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

export const readWithPyevtx = (path: string) => runOracle('pyevtx', path) as PyevtxResult;
export const readWithPythonEvtx = (path: string) => runOracle('python-evtx', path) as PythonEvtxResult;
export const readWithPyevt = (path: string) => runOracle('pyevt', path) as PyevtResult;

/** `evtxinfo` / `evtinfo` output as label → value lines, plus the bare flag lines. */
export function libyalInfo(tool: 'evtxinfo' | 'evtinfo', path: string): { fields: Map<string, string>; lines: string[] } {
  const out = execFileSync(tool, [path], { encoding: 'utf8' });
  const lines = out.split('\n').map((l) => l.trim()).filter(Boolean);
  const fields = new Map<string, string>();
  for (const line of lines) {
    const m = /^(.+?)\s*:\s*(.*)$/.exec(line);
    if (m) fields.set(m[1], m[2]);
  }
  return { fields, lines };
}
