# A reports bucket whose ACL was is kept private.
variable "bucket_name" {
  type    = string
  default = "acme-reports"
}

resource "aws_s3_bucket" "reports" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_ownership_controls" "reports" {
  bucket = aws_s3_bucket.reports.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "reports" {
  bucket     = aws_s3_bucket.reports.id
  acl        = "private"
  depends_on = [aws_s3_bucket_ownership_controls.reports]
}
