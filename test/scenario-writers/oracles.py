#!/usr/bin/python3
"""Reads one generated event log with one oracle and prints what it sees as JSON.

usage: oracles.py pyevtx|python-evtx|pyevt FILE

Each oracle's own rendering is reduced to the same plain fields, without correcting its known
deviations (python-evtx: arrays as <string> lines, binary as base64, float-rounded times); the
test decides what agreement means.
"""
import base64
import json
import re
import sys
import xml.etree.ElementTree as ET

NS = '{http://schemas.microsoft.com/win/2004/08/events/event}'


def text_of(parent, name):
    node = parent.find(NS + name)
    return None if node is None else (node.text or '')


def fields_from_xml(xml):
    event = ET.fromstring(xml)
    system = event.find(NS + 'System')
    event_id = system.find(NS + 'EventID')
    security = system.find(NS + 'Security')
    event_data = event.find(NS + 'EventData')
    return {
        'recordId': text_of(system, 'EventRecordID'),
        'provider': system.find(NS + 'Provider').get('Name'),
        'eventId': event_id.text,
        'qualifiers': event_id.get('Qualifiers'),
        'level': text_of(system, 'Level'),
        'task': text_of(system, 'Task'),
        'keywords': text_of(system, 'Keywords'),
        'time': system.find(NS + 'TimeCreated').get('SystemTime'),
        'channel': text_of(system, 'Channel'),
        'computer': text_of(system, 'Computer'),
        'userSid': None if security is None else security.get('UserID'),
        'data': [d.text or '' for d in event_data.findall(NS + 'Data')],
        'binary': text_of(event_data, 'Binary'),
    }


def read_pyevtx(path):
    import pyevtx
    f = pyevtx.file()
    f.open(path)
    records = []
    for i in range(f.number_of_records):
        r = f.get_record(i)
        fields = fields_from_xml(r.xml_string)
        fields['getters'] = {
            'recordId': r.identifier,
            'eventId': r.event_identifier,
            'qualifiers': r.event_identifier_qualifiers,
            'level': r.event_level,
            'provider': r.source_name,
            'computer': r.computer_name,
            'userSid': r.user_security_identifier,
            'writtenTime': str(r.get_written_time_as_integer()),
        }
        records.append(fields)
    result = {'corrupted': f.is_corrupted(), 'recovered': f.number_of_recovered_records, 'records': records}
    f.close()
    return result


def read_python_evtx(path):
    from Evtx.Evtx import Evtx
    with Evtx(path) as log:
        header = log.get_file_header()
        chunks = []
        records = []
        for chunk in header.chunks():
            chunk_records = list(chunk.records())
            chunks.append({'verified': chunk.verify(), 'records': len(chunk_records), 'templates': len(chunk.templates())})
            for r in chunk_records:
                fields = fields_from_xml(r.xml())
                [data] = fields['data'] or ['']
                fields['data'] = re.findall(r'<string>(.*?)</string>\n', data, re.S)
                if fields['binary'] is not None:
                    fields['binary'] = base64.b64decode(fields['binary']).hex().upper()
                fields['headerRecordId'] = r.record_num()
                records.append(fields)
        return {
            'headerVerified': header.verify(),
            'dirty': header.is_dirty(),
            'full': header.is_full(),
            'chunkCount': header.chunk_count(),
            'nextRecordId': header.next_record_number(),
            'chunks': chunks,
            'records': records,
        }


def read_pyevt(path):
    import pyevt
    f = pyevt.file()
    f.open(path)
    records = []
    for i in range(f.number_of_records):
        r = f.get_record(i)
        try:
            data = r.data.hex().upper()
        except OSError:  # pyevt raises for a record without data
            data = None
        records.append({
            'recordId': r.identifier,
            'eventIdentifier': r.event_identifier,
            'eventType': r.event_type,
            'category': r.event_category,
            'provider': r.source_name,
            'computer': r.computer_name,
            'userSid': r.user_security_identifier,
            'created': r.get_creation_time_as_integer(),
            'written': r.get_written_time_as_integer(),
            'data': [r.get_string(j) for j in range(r.number_of_strings)],
            'binary': data,
        })
    result = {'corrupted': f.is_corrupted(), 'recovered': f.number_of_recovered_records, 'records': records}
    f.close()
    return result


READERS = {'pyevtx': read_pyevtx, 'python-evtx': read_python_evtx, 'pyevt': read_pyevt}

if __name__ == '__main__':
    oracle, path = sys.argv[1], sys.argv[2]
    json.dump(READERS[oracle](path), sys.stdout)
