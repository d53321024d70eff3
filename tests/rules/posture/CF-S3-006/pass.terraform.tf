# Provider v3 style bucket with SSE-S3 default encryption.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  acl    = "private"

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
