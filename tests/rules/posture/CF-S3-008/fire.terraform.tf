# Provider v3 style bucket that keeps no server access log.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  acl    = "private"

  versioning {
    enabled = true
  }
}
