# Provider v3 style bucket without default encryption.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  acl    = "private"

  versioning {
    enabled = true
  }
}
