# Second oracle for the robustness test: python-evtx (python3-evtx 0.6.1). Prints, per record it
# renders, the record's file offset and EventRecordID; records it cannot render are counted.
# Never used for times (it converts FILETIME through a float).
import json
import re
import sys

from Evtx.Evtx import Evtx

RECORD_ID = re.compile(r'<EventRecordID>(\d+)</EventRecordID>')


def main(path):
    failed = 0
    with Evtx(path) as log:
        for chunk in log.chunks():
            try:
                records = list(chunk.records())
            except Exception:
                failed += 1
                continue
            for record in records:
                try:
                    match = RECORD_ID.search(record.xml())
                except Exception:
                    failed += 1
                    continue
                sys.stdout.write(json.dumps({'offset': record.offset(), 'record_id': match.group(1) if match else None}) + '\n')
    sys.stdout.write(json.dumps({'failed': failed}) + '\n')


main(sys.argv[1])
