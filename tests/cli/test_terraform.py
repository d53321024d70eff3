"""Terraform source (.tf): the real binary on trees written here, with the shipped rules.

Each test writes a small Terraform tree and checks what a user would: the findings, their
resource addresses (module paths, count and for_each keys), their file and line inside the
.tf files, and the diagnostics for what cannot be read. Expected lines are computed from the
text written, never written down.
"""
import json
import os

from cli_support import TempDir, check, expect


def line_of(text, needle, nth=0):
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def posture(cli, *args, code=1):
    res = cli.run("posture", "--format", "json", *args)
    expect(res, code, f"posture {' '.join(args)}:")
    return res.json()


def found(rep, rule, resource=None):
    return [f for f in rep["findings"] if f["rule_id"] == rule and (resource is None or f["location"]["resource"] == resource)]


BUCKET_ACL = """variable "env" {{
  default = "dev"
}}

locals {{
  name = "acme-${{var.env}}-reports"
}}

resource "aws_s3_bucket" "reports" {{
  bucket = local.name
}}

resource "aws_s3_bucket_acl" "reports" {{
  bucket = aws_s3_bucket.reports.id
  acl    = {acl}
}}
"""


def test_split_acl_resource_joins_its_bucket(cli):
    text = BUCKET_ACL.format(acl='"public-read"')
    with TempDir(cli) as t:
        p = t.write("main.tf", text)
        rep = posture(cli, t.abs)
        fs = found(rep, "CF-S3-001", "aws_s3_bucket.reports")
        check(len(fs) == 1, f"one public ACL finding on the bucket, got {rep['findings']}")
        check(fs[0]["location"]["file"] == p, f"file {fs[0]['location']['file']}")
        check(fs[0]["location"]["line"] == line_of(text, "acl    ="), f"line {fs[0]['location']['line']}")
        check(rep["errors"] == [], f"errors {rep['errors']}")


def test_variable_decides_the_acl_and_var_overrides_tfvars(cli):
    text = BUCKET_ACL.format(acl='var.acl') + 'variable "acl" {\n  default = "private"\n}\n'
    with TempDir(cli) as t:
        t.write("main.tf", text)
        rep = posture(cli, t.abs, code=1)
        check(not found(rep, "CF-S3-001"), "private by default")
        t.write("terraform.tfvars", 'acl = "public-read"\n')
        rep = posture(cli, t.abs)
        check(found(rep, "CF-S3-001"), "terraform.tfvars makes it public")
        t.write("zz.auto.tfvars", 'acl = "private"\n')
        rep = posture(cli, t.abs)
        check(not found(rep, "CF-S3-001"), "*.auto.tfvars come after terraform.tfvars")
        vf = t.write("ci.tfvars", 'acl = "public-read-write"\n')
        rep = posture(cli, "--var-file", vf, t.abs)
        check(found(rep, "CF-S3-001"), "--var-file comes after *.auto.tfvars")
        rep = posture(cli, "--var-file", vf, "--var", "acl=private", t.abs)
        check(not found(rep, "CF-S3-001"), "--var comes last")


def test_count_and_for_each_instances_have_their_keys(cli):
    text = """variable "names" {
  default = { api = "optional", web = "required" }
}

resource "aws_instance" "pool" {
  count         = 3
  ami           = "ami-0abc"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = count.index == 1 ? "required" : "optional"
  }
}

resource "aws_instance" "named" {
  for_each      = var.names
  ami           = "ami-0abc"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = each.value
  }
}
"""
    with TempDir(cli) as t:
        t.write("main.tf", text)
        rep = posture(cli, t.abs)
        got = sorted(f["location"]["resource"] for f in found(rep, "CF-EC2-001"))
        want = sorted(["aws_instance.pool[0]", "aws_instance.pool[2]", 'aws_instance.named["api"]'])
        check(got == want, f"IMDSv1 on {got}, expected {want}")


def test_local_module_addresses_and_lines(cli):
    root = """module "logs" {
  source = "./modules/bucket"
  name   = "acme-logs"
  public = true
}

module "data" {
  source   = "./modules/bucket"
  for_each = toset(["a", "b"])
  name     = "acme-data-${each.key}"
  public   = false
}
"""
    mod = """variable "name" {}
variable "public" {
  default = false
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_acl" "this" {
  bucket = aws_s3_bucket.this.id
  acl    = var.public ? "public-read" : "private"
}
"""
    with TempDir(cli) as t:
        t.write("main.tf", root)
        mp = t.write("modules/bucket/main.tf", mod)
        rep = posture(cli, t.abs)
        fs = found(rep, "CF-S3-001")
        check([f["location"]["resource"] for f in fs] == ["module.logs.aws_s3_bucket.this"],
              f"public ACL only in module.logs: {[f['location']['resource'] for f in fs]}")
        check(fs[0]["location"]["file"] == mp and fs[0]["location"]["line"] == line_of(mod, "acl    ="),
              f"finding at {fs[0]['location']}")
        # The module folder is not scanned again as a root of its own.
        roots = {f["location"]["resource"] for f in rep["findings"]}
        check("aws_s3_bucket.this" not in roots, f"module scanned as a root too: {sorted(roots)}")
        check(any(r.startswith('module.data["a"].') for r in roots), f"for_each module instances: {sorted(roots)}")


def test_policy_document_and_jsonencode_policies(cli):
    text = """resource "aws_s3_bucket" "site" {
  bucket = "acme-site"
}

data "aws_iam_policy_document" "public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.site.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "site" {
  bucket = aws_s3_bucket.site.id
  policy = data.aws_iam_policy_document.public.json
}

resource "aws_iam_policy" "admin" {
  name = "ops-admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
"""
    with TempDir(cli) as t:
        t.write("main.tf", text)
        rep = posture(cli, t.abs)
        check(found(rep, "CF-S3-002", "aws_s3_bucket.site"), f"public bucket policy: {[f['rule_id'] for f in rep['findings']]}")
        admin = [f for f in rep["findings"] if f["location"]["resource"] == "aws_iam_policy.admin"]
        check(admin, f"the admin policy is reported: {[f['rule_id'] for f in rep['findings']]}")


def test_inline_ignore_comment(cli):
    text = BUCKET_ACL.format(acl='"public-read"').replace(
        'resource "aws_s3_bucket" "reports" {', '# cloudfort:ignore CF-S3-001 public website\nresource "aws_s3_bucket" "reports" {')
    with TempDir(cli) as t:
        t.write("main.tf", text)
        rep = posture(cli, t.abs)
        check(not found(rep, "CF-S3-001"), "suppressed by the comment")
        res = cli.run("posture", "--format", "json", "--show-suppressed", t.abs)
        sup = [f for f in res.json().get("suppressed", []) if f["rule_id"] == "CF-S3-001"]
        check(len(sup) == 1, f"listed as suppressed: {sup}")


def test_syntax_error_is_reported_and_other_files_still_scanned(cli):
    with TempDir(cli) as t:
        bad = t.write("a/broken.tf", 'resource "aws_s3_bucket" "x" {\n  bucket = \n}\n')
        t.write("b/main.tf", BUCKET_ACL.format(acl='"public-read"'))
        rep = posture(cli, t.abs)
        errs = [e for e in rep["errors"] if e["file"] == bad]
        check(errs and errs[0]["line"] == 2, f"error at {bad}:2: {rep['errors']}")
        check(found(rep, "CF-S3-001"), "the other folder is scanned")


def test_modules_not_scanned_and_cycles_are_diagnosed(cli):
    root = """module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

module "self" {
  source = "./loop"
}

locals {
  a = local.b
  b = local.a
}

resource "aws_s3_bucket" "b" {
  bucket = local.a
}
"""
    loop = 'module "again" {\n  source = "../loop"\n}\n'
    with TempDir(cli) as t:
        t.write("main.tf", root)
        t.write("loop/main.tf", loop)
        rep = posture(cli, t.abs)
        msgs = " | ".join(e["message"] for e in rep["errors"])
        check("not scanned" in msgs and "terraform-aws-modules/vpc/aws" in msgs, f"registry module: {msgs}")
        check("includes itself" in msgs, f"self-including module: {msgs}")
        check("cycle" in msgs, f"cyclic locals: {msgs}")
        check(found(rep, "CF-S3-004", "aws_s3_bucket.b"), "the bucket is still scanned")


def test_file_function_reads_inside_the_root_only(cli):
    text = """resource "aws_s3_bucket" "b" {
  bucket = "acme-b"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = file("${path.module}/policy.json")
}

resource "aws_s3_bucket" "c" {
  bucket = "acme-c"
}

resource "aws_s3_bucket_policy" "outside" {
  bucket = aws_s3_bucket.c.id
  policy = file("/etc/passwd")
}
"""
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-b/*"}]})
    with TempDir(cli) as t:
        t.write("main.tf", text)
        t.write("policy.json", policy)
        rep = posture(cli, t.abs)
        check(found(rep, "CF-S3-002", "aws_s3_bucket.b"), "the policy read with file() is public")
        msgs = " | ".join(e["message"] for e in rep["errors"])
        check("outside the scan root" in msgs, f"/etc/passwd is refused: {msgs}")


def test_json_variant_matches_native_syntax(cli):
    doc = {
        "resource": {
            "aws_s3_bucket": {"reports": {"bucket": "acme-reports"}},
            "aws_s3_bucket_acl": {"reports": {"bucket": "${aws_s3_bucket.reports.id}", "acl": "public-read"}},
        }
    }
    with TempDir(cli) as t:
        p = t.write("main.tf.json", json.dumps(doc, indent=2))
        rep = posture(cli, t.abs)
        fs = found(rep, "CF-S3-001", "aws_s3_bucket.reports")
        check(fs and fs[0]["location"]["file"] == p, f"public ACL from .tf.json: {rep['findings']}")


def test_single_file_argument_and_scan_command(cli):
    with TempDir(cli) as t:
        p = t.write("only.tf", BUCKET_ACL.format(acl='"public-read"'))
        rep = posture(cli, p)
        check(found(rep, "CF-S3-001"), "a .tf file named on the command line")
        res = cli.run("scan", "--format", "json", t.abs)
        expect(res, 1)
        check(any(f["rule_id"] == "CF-S3-001" for f in res.json()["findings"]), "scan runs posture on .tf")


def test_unknown_values_follow_the_unknown_option(cli):
    text = """resource "random_pet" "p" {}

resource "aws_s3_bucket" "b" {
  bucket = "acme-${random_pet.p.id}"
}

resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = random_pet.p.id
}
"""
    with TempDir(cli) as t:
        t.write("main.tf", text)
        rep = posture(cli, t.abs)
        check(not found(rep, "CF-S3-001"), "an unknown ACL is not a finding by default")
        rep = posture(cli, "--unknown", "fail", t.abs)
        check(found(rep, "CF-S3-001"), "--unknown fail reports it")


def test_var_option_errors(cli):
    with TempDir(cli) as t:
        t.write("main.tf", BUCKET_ACL.format(acl='"private"'))
        res = cli.run("posture", "--var", "novalue", t.abs)
        expect(res, 2, "--var without '=':")
        check("NAME=VALUE" in res.err, res.err)
        res = cli.run("posture", "--var-file", t.path("missing.tfvars"), t.abs)
        expect(res, 2, "--var-file missing:")
        check("missing.tfvars" in res.err, res.err)
