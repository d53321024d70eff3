# The same root cause as template.yaml, in Terraform source (AWS provider 4 and later): the
# download bucket is public by ACL and by policy, with no access logging and no default
# encryption, and the build user may do anything in S3. Names are invented.

variable "team" {
  default = "eu-web"
}

locals {
  bucket_name = "${var.team}-downloads-prod"
}

resource "aws_s3_bucket" "downloads" {
  bucket = local.bucket_name
  tags = {
    team = var.team
  }
}

resource "aws_s3_bucket_ownership_controls" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  acl    = "public-read"
}

resource "aws_s3_bucket_versioning" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  versioning_configuration {
    status = "Suspended"
  }
}

data "aws_iam_policy_document" "public_downloads" {
  statement {
    sid     = "PublicDownloads"
    actions = ["s3:GetObject", "s3:ListBucket"]
    resources = [
      aws_s3_bucket.downloads.arn,
      "${aws_s3_bucket.downloads.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  policy = data.aws_iam_policy_document.public_downloads.json
}

resource "aws_iam_user" "build" {
  name = "${var.team}-build"
}

resource "aws_iam_user_policy" "publish" {
  name = "publish-downloads"
  user = aws_iam_user.build.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:*"
      Resource = "*"
    }]
  })
}
