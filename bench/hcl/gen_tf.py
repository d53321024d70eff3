#!/usr/bin/env python3
"""Writes a synthetic Terraform tree for the HCL benchmark: a root module calling local
modules (a storage module, a compute module, a network module) once per service and
environment, with variables, locals, count, for_each, dynamic blocks, jsonencode policies and
aws_iam_policy_document data sources - the shapes real AWS repositories are made of.

  gen_tf.py OUTDIR LINES [SEED]

The tree grows by services until it holds at least LINES lines of .tf. Deterministic for a
seed. Prints the number of files, lines and bytes written.
"""
import os
import random
import sys

STORAGE = '''variable "name" {}
variable "env" {}
variable "public" {
  default = false
}
variable "log_bucket" {
  default = ""
}
variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  full_name = "${var.name}-${var.env}"
  tags      = merge(var.tags, { Module = "storage", Env = var.env })
}

resource "aws_s3_bucket" "this" {
  bucket = local.full_name
  tags   = local.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = !var.public
  block_public_policy     = !var.public
  ignore_public_acls      = !var.public
  restrict_public_buckets = !var.public
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = var.env == "prod" ? "aws:kms" : "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.env == "prod" ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_logging" "this" {
  count         = var.log_bucket == "" ? 0 : 1
  bucket        = aws_s3_bucket.this.id
  target_bucket = var.log_bucket
  target_prefix = "${local.full_name}/"
}

data "aws_iam_policy_document" "tls" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.tls.json
}

output "bucket" {
  value = aws_s3_bucket.this.bucket
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
'''

COMPUTE = '''variable "name" {}
variable "env" {}
variable "instance_count" {
  default = 2
}
variable "ami" {
  default = "ami-0a1b2c3d4e5f60718"
}
variable "bucket_arn" {}
variable "ports" {
  type    = list(number)
  default = [443]
}
variable "admin_cidrs" {
  default = ["10.0.0.0/8"]
}

locals {
  prefix = "${var.name}-${var.env}"
  imds   = var.env == "prod" ? "required" : "optional"
}

resource "aws_iam_role" "app" {
  name = "${local.prefix}-app"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "app" {
  name = "${local.prefix}-data"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ReadData"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = [var.bucket_arn, "${var.bucket_arn}/*"]
      },
      {
        Sid      = "Logs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_iam_instance_profile" "app" {
  name = "${local.prefix}-app"
  role = aws_iam_role.app.name
}

resource "aws_security_group" "app" {
  name        = "${local.prefix}-app"
  description = "application tier of ${var.name}"

  dynamic "ingress" {
    for_each = var.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.admin_cidrs
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_launch_template" "app" {
  name_prefix   = "${local.prefix}-"
  image_id      = var.ami
  instance_type = "t3.medium"
  metadata_options {
    http_tokens                 = local.imds
    http_put_response_hop_limit = 1
  }
  iam_instance_profile {
    name = aws_iam_instance_profile.app.name
  }
}

resource "aws_instance" "app" {
  count                  = var.instance_count
  ami                    = var.ami
  instance_type          = "t3.medium"
  iam_instance_profile   = aws_iam_instance_profile.app.name
  vpc_security_group_ids = [aws_security_group.app.id]
  metadata_options {
    http_tokens                 = local.imds
    http_put_response_hop_limit = 1
  }
  tags = {
    Name = "${local.prefix}-${count.index}"
  }
}

resource "aws_lambda_function" "worker" {
  function_name = "${local.prefix}-worker"
  role          = aws_iam_role.app.arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "worker.zip"
  environment {
    variables = {
      ENV    = var.env
      BUCKET = var.bucket_arn
    }
  }
}

output "role_arn" {
  value = aws_iam_role.app.arn
}
'''

ROOT_HEAD = '''terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  default = "eu-west-1"
}

variable "envs" {
  default = ["dev", "prod"]
}

locals {
  common_tags = {
    Owner      = "platform"
    CostCenter = "cc-1234"
    ManagedBy  = "terraform"
  }
}

module "logs" {
  source = "./modules/storage"
  name   = "org-access-logs"
  env    = "shared"
  tags   = local.common_tags
}
'''

SERVICE = '''
# ---- service {svc} ----
module "{svc}_data" {{
  source     = "./modules/storage"
  for_each   = toset(var.envs)
  name       = "{svc}-data"
  env        = each.key
  public     = {public}
  log_bucket = module.logs.bucket
  tags       = merge(local.common_tags, {{ Service = "{svc}" }})
}}

module "{svc}_app" {{
  source         = "./modules/compute"
  for_each       = toset(var.envs)
  name           = "{svc}"
  env            = each.key
  instance_count = {count}
  bucket_arn     = module.{svc}_data[each.key].arn
  ports          = {ports}
}}

resource "aws_cloudwatch_log_group" "{svc}" {{
  for_each          = toset(var.envs)
  name              = "/app/{svc}/${{each.key}}"
  retention_in_days = each.key == "prod" ? 365 : 30
  tags              = local.common_tags
}}
'''


def main():
    out, lines = sys.argv[1], int(sys.argv[2])
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20250601)
    os.makedirs(os.path.join(out, "modules", "storage"), exist_ok=True)
    os.makedirs(os.path.join(out, "modules", "compute"), exist_ok=True)
    files = {"modules/storage/main.tf": STORAGE, "modules/compute/main.tf": COMPUTE}
    fixed = sum(t.count("\n") for t in files.values()) + ROOT_HEAD.count("\n")
    # Services go into several root files, a few hundred per file, as large repositories do.
    parts, count, n, i = [], fixed, 0, 0
    per_file = []
    while count < lines:
        svc = f"svc{i:05d}"
        text = SERVICE.format(svc=svc, public="true" if rnd.random() < 0.05 else "false",
                              count=rnd.randint(1, 3), ports=rnd.choice(["[443]", "[80, 443]", "[443, 8443]"]))
        per_file.append(text)
        count += text.count("\n")
        i += 1
        if len(per_file) == 200:
            parts.append("".join(per_file))
            per_file = []
    if per_file:
        parts.append("".join(per_file))
    files["main.tf"] = ROOT_HEAD
    for k, p in enumerate(parts):
        files[f"services_{k:03d}.tf"] = p
    nbytes = nlines = 0
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
        nbytes += len(text.encode())
        nlines += text.count("\n")
    print(f"files {len(files)}")
    print(f"lines {nlines}")
    print(f"bytes {nbytes}")
    print(f"services {i}")


if __name__ == "__main__":
    main()
