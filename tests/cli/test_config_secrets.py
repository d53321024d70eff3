"""Secrets in cloud configuration: posture hands the values that commonly hold credentials
(Lambda and ECS environments, EC2 user data, Kubernetes env, CloudFormation parameter
defaults) to the secret rules, and reports each secret with its resource and the file and line
of the value. `cloudfort scan` reports such a secret once, with the resource, although the
raw content scan of the same file finds it too.

Every input is a real file written here; the expected line is computed from the file's text
(the line holding the key, or for an encoded value the line of the attribute), never written
down. The key ids are fake ones in the real format (AKIA + 16 base-32 characters), so the
shipped aws-access-key-id rule finds them.
"""
import base64
import json
import os

from cli_support import TempDir, check, expect

RULE = "aws-access-key-id"
KEYS = {
    "cfn_yaml": "AKIA4QWERTY7ZXCVB2N3",
    "cfn_json": "AKIAZ5ZL3MNB6VCX7QWE",
    "ecs": "AKIAY3TPLK7QMZ4XWV2D",
    "userdata": "AKIAW6B2RTY5UIO3PLK7",
    "k8s": "AKIAV2XCZ7LKJ3HGF4DS",
    "param": "AKIAT7QAZ2WSX3EDC4RF",
    "tfplan": "AKIAS4RFV5TGB6YHN7UJ",
    "sub": "AKIAR2UJM3IKL4OPQ5WE",
}


def line_of(text, needle, nth=0):
    """1-based line of the nth occurrence of needle in text."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def findings(cli, mode, path, *extra):
    res = cli.run(mode, "--format", "json", *extra, path)
    expect(res, 1, f"{mode} {path}:")
    rep = res.json()
    check(rep["errors"] == [], f"{mode} {path}: input errors {rep['errors']}")
    return rep


def secret_findings(rep, path):
    return [f for f in rep["findings"] if f["rule_id"] == RULE and f["location"]["file"] == path]


def assert_once_with_resource(cli, path, resource, rtype, line, key):
    """posture reports the key with its resource; scan reports it exactly once, the same way."""
    for mode in ("posture", "scan"):
        rep = findings(cli, mode, path)
        got = secret_findings(rep, path)
        check(len(got) == 1, f"{mode} {path}: {len(got)} {RULE} findings, expected 1: {got}")
        f = got[0]
        loc = f["location"]
        check(f["analyzer"] == "secrets", f"{mode}: analyzer {f['analyzer']}")
        check(loc["resource"] == resource, f"{mode} {path}: resource {loc['resource']!r}, expected {resource!r}")
        check(loc.get("resource_type") in (None, rtype),
              f"{mode} {path}: resource type {loc.get('resource_type')!r}, expected {rtype!r}")
        check(loc["line"] == line, f"{mode} {path}: line {loc['line']}, expected {line}")
        check(key not in json.dumps(f), f"{mode}: the whole key is printed: {f}")
        check(f["evidence"].startswith(key[:4]), f"{mode}: evidence {f['evidence']!r}")
    return f


CFN_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Description: a function that signs requests with a key of its own
Resources:
  Signer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/signer
      Code:
        ZipFile: "def handler(e, c): return 1"
      Environment:
        Variables:
          LOG_LEVEL: info
          SIGNING_KEY_ID: {key}
"""


def test_cloudformation_yaml_lambda_environment(cli):
    with TempDir(cli) as t:
        text = CFN_YAML.format(key=KEYS["cfn_yaml"])
        p = t.write("fn.yaml", text)
        f = assert_once_with_resource(cli, p, "Signer", "aws.lambda.function", line_of(text, KEYS["cfn_yaml"]),
                                      KEYS["cfn_yaml"])
        col = text.splitlines()[f["location"]["line"] - 1].index(KEYS["cfn_yaml"]) + 1
        check(f["location"]["column"] == col, f"column {f['location']['column']}, expected {col}")


def test_cloudformation_json_lambda_environment(cli):
    tmpl = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Worker": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Runtime": "nodejs20.x",
                    "Handler": "index.handler",
                    "Environment": {"Variables": {"STAGE": "prod", "UPLOAD_KEY": KEYS["cfn_json"]}},
                },
            }
        },
    }
    with TempDir(cli) as t:
        text = json.dumps(tmpl, indent=2)
        p = t.write("worker.json", text)
        assert_once_with_resource(cli, p, "Worker", "aws.lambda.function", line_of(text, KEYS["cfn_json"]),
                                  KEYS["cfn_json"])


def test_ecs_task_definition_environment(cli):
    text = f"""Resources:
  ApiTask:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: api
      ContainerDefinitions:
        - Name: api
          Image: example/api:2.1
          Environment:
            - Name: PORT
              Value: "8080"
            - Name: S3_UPLOAD_KEY
              Value: {KEYS['ecs']}
"""
    with TempDir(cli) as t:
        p = t.write("task.yaml", text)
        assert_once_with_resource(cli, p, "ApiTask", "aws.ecs.task_definition", line_of(text, KEYS["ecs"]), KEYS["ecs"])


def test_ec2_user_data_base64(cli):
    """Saved `aws autoscaling describe-launch-configurations` output: UserData is base64; the
    key is found in the decoded script and reported on the line of the UserData attribute."""
    script = f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={KEYS['userdata']}\n/opt/app/start\n"
    doc = {"LaunchConfigurations": [{
        "LaunchConfigurationName": "web-lc",
        "LaunchConfigurationARN": "arn:aws:autoscaling:eu-west-1:123456789012:launchConfiguration:1:launchConfigurationName/web-lc",
        "ImageId": "ami-0123456789abcdef0",
        "InstanceType": "t3.micro",
        "UserData": base64.b64encode(script.encode()).decode(),
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
    }]}
    with TempDir(cli) as t:
        text = json.dumps(doc, indent=2)
        check(KEYS["userdata"] not in text, "the key must only be inside the base64")
        p = t.write("describe-launch-configurations.json", text)
        assert_once_with_resource(cli, p, "web-lc", "aws.autoscaling.launch_configuration",
                                  line_of(text, '"UserData"'), KEYS["userdata"])


def test_cloudformation_user_data_sub_with_unknown_variables(cli):
    """!Base64 of a !Sub whose variables are known only at deployment: the template's text is
    still scanned."""
    text = f"""Resources:
  Bastion:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-0123456789abcdef0
      MetadataOptions:
        HttpTokens: required
      UserData: !Base64
        Fn::Sub: |
          #!/bin/bash
          aws configure set region ${{AWS::Region}}
          aws configure set aws_access_key_id {KEYS['sub']}
"""
    with TempDir(cli) as t:
        p = t.write("bastion.yaml", text)
        assert_once_with_resource(cli, p, "Bastion", "aws.ec2.instance", line_of(text, KEYS["sub"]), KEYS["sub"])


def test_kubernetes_deployment_env(cli):
    text = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: uploader
  namespace: media
spec:
  replicas: 2
  selector:
    matchLabels: {{app: uploader}}
  template:
    metadata:
      labels: {{app: uploader}}
    spec:
      containers:
        - name: uploader
          image: example/uploader:1.0
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
          env:
            - name: BUCKET
              value: media-uploads
            - name: AWS_ACCESS_KEY_ID
              value: "{KEYS['k8s']}"
"""
    with TempDir(cli) as t:
        p = t.write("deploy.yaml", text)
        rep = findings(cli, "posture", p)
        got = secret_findings(rep, p)
        check(len(got) == 1, f"{got}")
        # The workload's address is the adapter's (kind/namespace/name); it names the Deployment.
        resource = got[0]["location"]["resource"]
        check("uploader" in resource, f"resource {resource!r}")
        assert_once_with_resource(cli, p, resource, "k8s.workload", line_of(text, KEYS["k8s"]), KEYS["k8s"])


def test_cloudformation_parameter_default(cli):
    text = f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Stage:
    Type: String
    Default: prod
  DeployKeyId:
    Type: String
    NoEcho: true
    Default: {KEYS['param']}
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {{Status: Enabled}}
"""
    with TempDir(cli) as t:
        p = t.write("params.yaml", text)
        assert_once_with_resource(cli, p, "DeployKeyId", "aws.cloudformation.parameter", line_of(text, KEYS["param"]),
                                  KEYS["param"])


def tfplan(key):
    """A plan as `terraform show -json` writes it: the variables appear in planned_values,
    resource_changes and the configuration's constant values."""
    values = {
        "function_name": "thumbnailer",
        "runtime": "python3.12",
        "role": "arn:aws:iam::123456789012:role/thumb",
        "environment": [{"variables": {"BUCKET": "thumbs", "THUMB_KEY_ID": key}}],
    }
    res = {"address": "aws_lambda_function.thumbnailer", "mode": "managed", "type": "aws_lambda_function",
           "name": "thumbnailer", "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0}
    return {
        "format_version": "1.2",
        "terraform_version": "1.6.6",
        "planned_values": {"root_module": {"resources": [dict(res, values=values, sensitive_values={})]}},
        "resource_changes": [dict(res, change={"actions": ["create"], "before": None, "after": values,
                                               "after_unknown": {}, "before_sensitive": False,
                                               "after_sensitive": {}})],
        "configuration": {"root_module": {"resources": [{
            "address": "aws_lambda_function.thumbnailer", "mode": "managed", "type": "aws_lambda_function",
            "name": "thumbnailer", "provider_config_key": "aws",
            "expressions": {"function_name": {"constant_value": "thumbnailer"},
                            "environment": [{"variables": {"constant_value": {"BUCKET": "thumbs",
                                                                              "THUMB_KEY_ID": key}}}]},
            "schema_version": 0}]}},
    }


def test_terraform_plan_lambda_reported_once(cli):
    with TempDir(cli) as t:
        text = json.dumps(tfplan(KEYS["tfplan"]), indent=1)
        check(text.count(KEYS["tfplan"]) == 3, "the plan repeats the key three times")
        p = t.write("plan.json", text)
        rep = findings(cli, "posture", p)
        got = secret_findings(rep, p)
        check(len(got) == 1, f"posture: {got}")
        # The line is one of the key's own lines in the plan.
        lines = {line_of(text, KEYS["tfplan"], i) for i in range(3)}
        check(got[0]["location"]["line"] in lines, f"line {got[0]['location']['line']} not in {lines}")
        assert_once_with_resource(cli, p, "aws_lambda_function.thumbnailer", "aws.lambda.function",
                                  got[0]["location"]["line"], KEYS["tfplan"])
        # The raw scan alone finds every copy, without a resource.
        raw = findings(cli, "secrets", p)
        got = secret_findings(raw, p)
        check(len(got) == 3 and all(f["location"]["resource"] is None for f in got), f"secrets: {got}")


def test_fingerprint_is_the_raw_scans(cli):
    """Baselines written by `secrets` keep working on the same secret found through posture."""
    with TempDir(cli) as t:
        text = CFN_YAML.format(key=KEYS["cfn_yaml"])
        p = t.write("fn.yaml", text)
        raw = secret_findings(findings(cli, "secrets", p), p)
        cfg = secret_findings(findings(cli, "posture", p), p)
        check(len(raw) == 1 and len(cfg) == 1, f"{raw} {cfg}")
        check(raw[0]["fingerprint"] == cfg[0]["fingerprint"], f"{raw[0]['fingerprint']} != {cfg[0]['fingerprint']}")
        check(raw[0]["location"]["line"] == cfg[0]["location"]["line"], "same line")
        check(raw[0]["location"]["resource"] is None and cfg[0]["location"]["resource"] == "Signer", "resources")


def test_no_config_secrets_and_analyzer_choice(cli):
    with TempDir(cli) as t:
        text = CFN_YAML.format(key=KEYS["cfn_yaml"])
        p = t.write("fn.yaml", text)
        res = cli.run("posture", "--format", "json", "--no-config-secrets", p)
        check(res.code in (0, 1), f"exit {res.code}: {res.err[:300]}")
        check(secret_findings(res.json(), p) == [], "--no-config-secrets still scanned the values")
        # scan --analyzer secrets: the raw scan only, no resource.
        rep = findings(cli, "scan", p, "--analyzer", "secrets")
        got = secret_findings(rep, p)
        check(len(got) == 1 and got[0]["location"]["resource"] is None, f"{got}")
        # The option belongs to posture.
        expect(cli.run("secrets", "--no-config-secrets", p), 2, "secrets --no-config-secrets:")


def test_rules_from_a_folder_and_variable_names(cli):
    """A content rule from --rules DIR applies to configuration values too, and an
    assignment rule sees the variable's name in front of its value (NAME=value)."""
    rule = """id: test-db-password
analyzer: secrets
title: Database password assigned a literal
severity: high
regex: '(?i)db_password=([A-Za-z0-9!@#%^&*-]{10,})'
keywords: [db_password]
remediation:
  text: Keep the password in a secrets manager and pass its ARN instead.
"""
    tmpl = """Resources:
  Reporter:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Environment:
        Variables:
          DB_HOST: db.internal
          DB_PASSWORD: Tr0ub4dor-and-3
"""
    with TempDir(cli) as t:
        t.write("rules/db.yaml", rule)
        p = t.write("in/fn.yaml", tmpl)
        res = cli.run("posture", "--format", "json", "--no-builtin-rules", "--rules", t.path("rules"), p)
        expect(res, 1, "posture with a rules folder:")
        got = [f for f in res.json()["findings"] if f["rule_id"] == "test-db-password"]
        check(len(got) == 1, f"{got}")
        loc = got[0]["location"]
        check(loc["resource"] == "Reporter" and loc["line"] == line_of(tmpl, "Tr0ub4dor"), f"{loc}")
        check("Tr0ub4dor-and-3" not in res.out, "the password is printed")
        # The raw scan of the file does not see "DB_PASSWORD=" (YAML writes "DB_PASSWORD: "):
        # only the configuration pass finds it, and scan still reports it once.
        res = cli.run("scan", "--format", "json", "--no-builtin-rules", "--rules", t.path("rules"), p)
        expect(res, 1, "scan with a rules folder:")
        got = [f for f in res.json()["findings"] if f["rule_id"] == "test-db-password"]
        check(len(got) == 1 and got[0]["location"]["resource"] == "Reporter", f"{got}")


def test_inline_ignore_applies(cli):
    with TempDir(cli) as t:
        text = CFN_YAML.format(key=KEYS["cfn_yaml"]).replace(
            "          SIGNING_KEY_ID:", "          # cloudfort:ignore aws-access-key-id rotated, test account\n"
            "          SIGNING_KEY_ID:")
        p = t.write("fn.yaml", text)
        res = cli.run("posture", "--format", "json", "--show-suppressed", p)
        rep = res.json()
        check(secret_findings(rep, p) == [], f"suppressed finding listed as open: {rep['findings']}")
        sup = [f for f in rep.get("suppressed", []) if f["rule_id"] == RULE]
        check(len(sup) == 1 and sup[0]["location"]["resource"] == "Signer", f"{sup}")
