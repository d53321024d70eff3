# Versioning is on.
variable "keep_versions" {
  type    = bool
  default = true
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
