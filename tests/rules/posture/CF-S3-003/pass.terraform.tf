# The same upload drop, writable only by the uploader role.
variable "bucket_name" {
  type    = string
  default = "acme-reports"
}

variable "uploader_role_arn" {
  type    = string
  default = "arn:aws:iam::111122223333:role/uploader"
}

resource "aws_s3_bucket" "reports" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = <<-POLICY
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "Upload",
          "Effect": "Allow",
          "Principal": {"AWS": "${var.uploader_role_arn}"},
          "Action": ["s3:PutObject", "s3:PutObjectAcl"],
          "Resource": "arn:aws:s3:::${var.bucket_name}/*"
        }
      ]
    }
  POLICY
}
