# Provider v3 style bucket logging to the central access-log bucket.
variable "log_bucket" {
  type    = string
  default = "acme-access-logs"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  acl    = "private"

  versioning {
    enabled = true
  }

  logging {
    target_bucket = var.log_bucket
    target_prefix = "reports/"
  }
}
