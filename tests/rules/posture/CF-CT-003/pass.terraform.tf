# The trail encrypts its logs with its own KMS key.
resource "aws_s3_bucket" "trail" {
  bucket = "acme-trail-logs"
}

resource "aws_kms_key" "trail" {
  description         = "CloudTrail logs"
  enable_key_rotation = true
}

resource "aws_cloudtrail" "main" {
  name           = "acme-trail"
  s3_bucket_name = aws_s3_bucket.trail.id
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_key.trail.arn
}
