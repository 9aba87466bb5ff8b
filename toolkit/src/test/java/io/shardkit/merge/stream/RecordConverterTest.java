package io.shardkit.merge.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** Debezium logical types to JDBC-ready values, as pure functions. */
class RecordConverterTest {

    static Schema named(String name) {
        return SchemaBuilder.int64().name(name).build();
    }

    @Test
    void temporalTypesComeBackInUtcWithFullPrecision() {
        assertThat(RecordConverter.value(SchemaBuilder.int32().name("io.debezium.time.Date").build(), 19723)).isEqualTo(LocalDate.of(2024, 1, 1));
        assertThat(RecordConverter.value(named("io.debezium.time.MicroTimestamp"), 1_704_067_200_000_001L))
                .isEqualTo(LocalDateTime.of(2024, 1, 1, 0, 0, 0, 1000));
        assertThat(RecordConverter.value(named("io.debezium.time.Timestamp"), -1L)).isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_000_000));
        assertThat(RecordConverter.value(SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build(), "2023-11-05T06:30:00.123456+05:00"))
                .isEqualTo(LocalDateTime.of(2023, 11, 5, 1, 30, 0, 123_456_000));
    }

    @Test
    void timeKeepsSignHoursPastADayAndMicros() {
        assertThat(RecordConverter.timeText(3_021_958_999_999L)).isEqualTo("839:25:58.999999");
        assertThat(RecordConverter.timeText(-1L)).isEqualTo("-00:00:00.000001");
        assertThat(RecordConverter.timeText(90_062_000_001L)).isEqualTo("25:01:02.000001");
    }

    @Test
    void bitsAreLittleEndianBytes() {
        assertThat(RecordConverter.bits(new byte[] {(byte) 0xff, 0x03})).isEqualTo(1023L);
        assertThat(RecordConverter.bits(ByteBuffer.wrap(new byte[] {0x01, 0x00}))).isEqualTo(1L);
    }

    @Test
    void bytesAndDecimalsPassThroughExactly() {
        assertThat((byte[]) RecordConverter.value(Schema.BYTES_SCHEMA, ByteBuffer.wrap(new byte[] {0, (byte) 0x80}))).containsExactly(0, 0x80);
        BigDecimal d = new BigDecimal("-12345678901234567890.0000000001");
        assertThat(RecordConverter.value(SchemaBuilder.bytes().name("org.apache.kafka.connect.data.Decimal").build(), d)).isEqualTo(d);
    }
}
