# The Terraform source of plan.json: the operations portal's staff-data bucket is made
# readable by anyone through a canned ACL, and Block Public Access is switched off. Names are
# invented.

locals {
  buckets = {
    staff_data = { name = "airport-ops-staff-data", acl = "public-read" }
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets
  bucket   = each.value.name
  tags = {
    system = "ops-portal"
  }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    object_ownership = "ObjectWriter"
  }
}

resource "aws_s3_bucket_acl" "this" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  acl      = each.value.acl
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}
