# Versioning was suspended to save storage.
variable "keep_versions" {
  type    = bool
  default = false
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}

resource "aws_s3_bucket_versioning" "reports" {
  bucket = aws_s3_bucket.reports.id
  versioning_configuration {
    status     = var.keep_versions ? "Enabled" : "Suspended"
    mfa_delete = "Disabled"
  }
}
