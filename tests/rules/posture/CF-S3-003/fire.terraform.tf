# An upload drop whose policy, written as a heredoc, lets anyone write objects.
variable "bucket_name" {
  type    = string
  default = "acme-reports"
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
          "Principal": "*",
          "Action": ["s3:PutObject", "s3:PutObjectAcl"],
          "Resource": "arn:aws:s3:::${var.bucket_name}/*"
        }
      ]
    }
  POLICY
}
