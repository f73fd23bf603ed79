/** A form's text fields, trimmed (file inputs, which the console has none of, are left out). */
export function formFields(form: HTMLFormElement): Record<string, string> {
  const fields: Record<string, string> = {};
  new FormData(form).forEach((value, key) => {
    if (typeof value === 'string') fields[key] = value.trim();
  });
  return fields;
}
