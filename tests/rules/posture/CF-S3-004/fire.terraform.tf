# A bucket with no public access block at all.
resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
}
