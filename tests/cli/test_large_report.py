"""A report large enough to be rendered by two threads (20,000 findings or more) is the same
valid JSON, in the same order, as one thread would write: checked against the findings'
count in the summary and their order in the text report."""
import json
import os
import tempfile


def test_large_json_report_is_complete_and_ordered(cli):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "many.yaml")
        with open(path, "w") as f:
            f.write("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
            for i in range(4000):
                f.write(f"  Bucket{i}:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                        f"      BucketName: b-{i}\n      AccessControl: PublicRead\n")
        r = cli.run("posture", "--format", "json", path, timeout=600)
        assert r.code == 1, r.err[-500:]
        rep = json.loads(r.out)
        n = len(rep["findings"])
        assert n >= 20000, n
        assert n == rep["summary"]["findings"], (n, rep["summary"]["findings"])
        fps = [f["fingerprint"] for f in rep["findings"]]
        assert len(set(fps)) == n, "a finding was written twice or lost"
        # The order is the report order: group, severity, file, line, rule.
        sev = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}
        keys = [(f["group"], -sev[f["severity"]], f["location"]["line"], f["rule_id"]) for f in rep["findings"]]
        assert keys == sorted(keys), "findings out of order"
