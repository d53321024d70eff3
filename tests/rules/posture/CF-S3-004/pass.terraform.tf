# Every bucket of the stack gets all four Block Public Access settings.
variable "buckets" {
  type = map(string)
  default = {
    reports = "acme-reports"
    exports = "acme-exports"
  }
}

resource "aws_s3_bucket" "this" {
  for_each = var.buckets
  bucket   = each.value
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
