"""What one calibration keeps in the safe model file.

Each calibration fitted or detected after training (the folding of cycles, the two
smoothings, z-normalisation, per-series scales, the sample filter) has a :class:`Record`
beside its fit. The record names its fitted attributes, writes them as one JSON entry
of the document's ``calibrations`` (plus any arrays), and reads them back from a file
anyone may have edited: every value checked with the file checker's helpers, every
array member declared with its exact shape and dtype before the archive is opened for
it. The safe format (``_safe_format.py``) only lists the records in order.
"""

from __future__ import annotations


class Record:
    """Base: a calibration's entry ``key`` in the document's ``calibrations``."""

    key = ""
    #: the parameter that switches the calibration on: an entry with it off is refused
    param = None
    #: whether a document may lack the entry (a calibration added after files were
    #: written without it): a missing entry reads as absent
    optional = False

    def absent(self):
        """The fitted attributes of a model without this calibration."""
        return {}

    def write(self, est):
        """``(entry, arrays)``: the JSON entry (None when ``est`` has no such
        calibration) and the arrays to store beside the document."""
        raise NotImplementedError

    def check_presence(self, check, entry, model):
        """Refuse an ``entry`` (None: absent) that the partly read ``model``
        (``_safe_format._Model``: parameters, classes, shapes, the raw entries) rules
        out, or its absence where the model needs it: by default an entry whose
        parameter is off."""
        if entry is not None and self.param and not model.params[self.param]:
            check.fail(f"calibrations.{self.key}", f"is set though {self.param} is off.")

    def read(self, check, entry, model):
        """The fitted attributes held by the (present) ``entry``, each validated with
        ``check`` (``_safe_format._Checker``); array members this record needs are added
        to ``model.members`` as ``name -> (shape, dtype)``."""
        raise NotImplementedError

    def finish(self, check, attributes, arrays, model):
        """The attributes completed with the record's arrays (read as declared), after
        checking what sampling relies on."""
        return attributes
