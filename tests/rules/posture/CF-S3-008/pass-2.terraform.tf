# Provider v4 style: access logging as its own resource.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_logging" "reports" {
  bucket        = aws_s3_bucket.reports.id
  target_bucket = "acme-access-logs"
  target_prefix = "${aws_s3_bucket.reports.bucket}/"
}
