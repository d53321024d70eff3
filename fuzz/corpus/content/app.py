import boto3
# rotated yearly
client = boto3.client("s3", aws_access_key_id="AKIAB2C3D4E5F6G7H2J3",  # gitleaks:allow
                      aws_secret_access_key="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")
token = "AKIAC2D3E4F5G6H7J2K3"  # cloudfort:ignore aws-access-key-id test fixture
