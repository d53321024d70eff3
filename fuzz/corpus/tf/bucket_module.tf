variable "env" {
  default = "prod"
}

locals {
  name = "acme-${var.env}-logs"
  tags = { Team = "data" }
}

resource "aws_s3_bucket" "logs" {
  bucket = local.name
  tags   = merge(local.tags, { Name = local.name })
}

resource "aws_s3_bucket_acl" "logs" {
  bucket = aws_s3_bucket.logs.id
  acl    = "public-read"
}

resource "aws_instance" "web" {
  count         = 2
  ami           = "ami-123"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "optional"
  }
}

module "store" {
  source = "./modules/store"
  prefix = var.env
}

data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.p.json
}
