"""The problems only exports answer."""

from billing_bff.problems import Gone


class ExportExpired(Gone):
    default_code = "export-expired"
    default_detail = "This export has expired and its file is deleted. Start a new export."
    description = "The export has expired and its file is deleted."
